#pragma once
#include <cstdint>
#include <cstring>
#include <vector>

#include "engine/shape.h"
#include "layers/parallel.h"

namespace kiln {

// dst[i0..in] (dense, row-major over `shape`) = src[sum(ik * srcStrides[k])], split over the pool
// by rows of the last axis. A last-axis source stride of 1 copies whole rows with memcpy.
inline void gatherStrided(const float* src, const std::vector<int64_t>& srcStrides, const Shape& shape, float* dst,
                          ThreadPool& pool) {
  const int64_t total = elementCount(shape);
  if (total == 0) return;
  if (shape.empty()) {
    dst[0] = src[0];
    return;
  }
  const size_t rank = shape.size();
  const int64_t inner = shape[rank - 1];
  const int64_t innerStride = srcStrides[rank - 1];
  const int64_t rows = total / inner;
  parallelRange(pool, rows, std::max<int64_t>(1, 8192 / inner), [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      int64_t rem = row, offset = 0;
      for (int64_t d = static_cast<int64_t>(rank) - 2; d >= 0; --d) {
        offset += (rem % shape[d]) * srcStrides[d];
        rem /= shape[d];
      }
      const float* s = src + offset;
      float* o = dst + row * inner;
      if (innerStride == 1) {
        std::memcpy(o, s, sizeof(float) * inner);
      } else {
        for (int64_t i = 0; i < inner; ++i) o[i] = s[i * innerStride];
      }
    }
  });
}

// Copies a [outer, rows, inner] block between tensors whose middle axes differ in length: the
// block's rows land at row offset `dstRow` of a destination with `dstRows` rows (or are read from
// `srcRow` of a source with `srcRows`). Used by Concat and Split.
inline void copyAxisBlock(const float* src, int64_t srcRows, int64_t srcRow, float* dst, int64_t dstRows, int64_t dstRow,
                          int64_t outer, int64_t rows, int64_t inner, ThreadPool& pool) {
  const int64_t chunk = rows * inner;
  // The block may already be in place: a tensor planned to live inside the other one.
  if (outer == 1 && dst + dstRow * inner == src + srcRow * inner) return;
  parallelRange(pool, outer, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, chunk)), [&](int64_t begin, int64_t end) {
    for (int64_t o = begin; o < end; ++o)
      std::memcpy(dst + (o * dstRows + dstRow) * inner, src + (o * srcRows + srcRow) * inner, sizeof(float) * chunk);
  });
}

// Normalizes a possibly negative axis against a rank; false when out of range.
inline bool normalizeAxis(int64_t axis, size_t rank, int64_t* out) {
  const int64_t r = static_cast<int64_t>(rank);
  if (axis < -r || axis >= r) return false;
  *out = axis < 0 ? axis + r : axis;
  return true;
}

}  // namespace kiln
