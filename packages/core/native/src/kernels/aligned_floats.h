#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>

namespace kiln {

// A 64-byte-aligned float array (packed weights, transformed filters): whole cache lines and
// aligned vector loads.
struct AlignedFloatsFree {
  void operator()(float* p) const { ::operator delete[](p, std::align_val_t(64)); }
};
using AlignedFloats = std::unique_ptr<float[], AlignedFloatsFree>;

inline AlignedFloats allocAlignedFloats(int64_t n) {
  return AlignedFloats(static_cast<float*>(::operator new[](static_cast<size_t>(n) * sizeof(float), std::align_val_t(64))));
}

}  // namespace kiln
