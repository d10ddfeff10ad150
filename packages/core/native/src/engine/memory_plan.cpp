#include "engine/memory_plan.h"

#include <algorithm>
#include <cstdint>
#include <numeric>

namespace kiln {

namespace {
constexpr size_t kAlignment = 64;
size_t alignUp(size_t n) { return (n + kAlignment - 1) / kAlignment * kAlignment; }
}  // namespace

MemoryPlan planMemory(const std::vector<BufferLifetime>& buffers) {
  MemoryPlan plan;
  plan.offsets.assign(buffers.size(), 0);
  std::vector<size_t> order(buffers.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return buffers[a].bytes > buffers[b].bytes; });

  std::vector<size_t> placed;
  for (size_t id : order) {
    const BufferLifetime& buffer = buffers[id];
    const size_t size = alignUp(std::max<size_t>(buffer.bytes, 1));
    std::vector<std::pair<size_t, size_t>> busy;  // [begin, end) of overlapping-lifetime buffers
    for (size_t other : placed) {
      const BufferLifetime& o = buffers[other];
      if (o.first <= buffer.last && buffer.first <= o.last)
        busy.emplace_back(plan.offsets[other], plan.offsets[other] + alignUp(std::max<size_t>(o.bytes, 1)));
    }
    std::sort(busy.begin(), busy.end());
    size_t offset = 0, bestOffset = SIZE_MAX, bestGap = SIZE_MAX;
    for (const auto& [begin, end] : busy) {
      if (begin >= offset && begin - offset >= size && begin - offset < bestGap) {
        bestGap = begin - offset;
        bestOffset = offset;
      }
      offset = std::max(offset, end);
    }
    plan.offsets[id] = bestOffset != SIZE_MAX ? bestOffset : offset;
    plan.arenaBytes = std::max(plan.arenaBytes, plan.offsets[id] + size);
    placed.push_back(id);
  }
  return plan;
}

}  // namespace kiln
