#pragma once
#include <cstdint>

#include "engine/shape.h"

namespace kiln {

// A tensor seen as [outer, axis, inner] around one axis (axis already normalized).
struct AxisView {
  int64_t outer = 1, length = 1, inner = 1;
};

inline AxisView axisView(const Shape& shape, int64_t axis) {
  AxisView v;
  for (int64_t d = 0; d < axis; ++d) v.outer *= shape[d];
  v.length = shape[axis];
  for (size_t d = axis + 1; d < shape.size(); ++d) v.inner *= shape[d];
  return v;
}

}  // namespace kiln
