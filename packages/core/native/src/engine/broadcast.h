#pragma once
#include <string>
#include <vector>

#include "engine/shape.h"

namespace kiln {

// NumPy broadcasting of two shapes; returns false when they are incompatible.
inline bool broadcastShapes(const Shape& a, const Shape& b, Shape* out) {
  const size_t rank = std::max(a.size(), b.size());
  out->assign(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1) return false;
    (*out)[i] = da == 1 ? db : da;
  }
  return true;
}

// Strides (in elements) of `shape` read as if broadcast to `target`: 0 along broadcast axes.
inline std::vector<int64_t> broadcastStrides(const Shape& shape, const Shape& target) {
  std::vector<int64_t> strides(target.size(), 0);
  const auto own = stridesOf(shape);
  const size_t offset = target.size() - shape.size();
  for (size_t i = 0; i < shape.size(); ++i) strides[offset + i] = shape[i] == 1 ? 0 : own[i];
  return strides;
}

}  // namespace kiln
