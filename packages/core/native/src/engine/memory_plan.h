#pragma once
#include <cstddef>
#include <vector>

namespace kiln {

// A buffer that lives from the layer that writes it to the last layer that reads it.
struct BufferLifetime {
  size_t bytes = 0;
  int first = 0, last = 0;
};

// Offsets into one arena such that buffers alive at the same time never overlap: largest first,
// each at the lowest 64-byte-aligned offset that fits between the buffers already placed.
struct MemoryPlan {
  std::vector<size_t> offsets;
  size_t arenaBytes = 0;
};
MemoryPlan planMemory(const std::vector<BufferLifetime>& buffers);

}  // namespace kiln
