#pragma once
#include <cstdint>
#include <cstring>
#include <vector>

#include "engine/error.h"
#include "engine/shape.h"
#include "layers/parallel.h"

namespace kiln {

namespace detail {
template <typename T>
void gatherRows(const T* src, const std::vector<int64_t>& srcStrides, const Shape& shape, T* dst, ThreadPool& pool) {
  const size_t rank = shape.size();
  const int64_t inner = shape[rank - 1];
  const int64_t innerStride = srcStrides[rank - 1];
  const int64_t rows = elementCount(shape) / inner;
  parallelRange(pool, rows, std::max<int64_t>(1, 8192 / inner), [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      int64_t rem = row, offset = 0;
      for (int64_t d = static_cast<int64_t>(rank) - 2; d >= 0; --d) {
        offset += (rem % shape[d]) * srcStrides[d];
        rem /= shape[d];
      }
      const T* s = src + offset;
      T* o = dst + row * inner;
      if (innerStride == 1) {
        std::memcpy(o, s, sizeof(T) * inner);
      } else {
        for (int64_t i = 0; i < inner; ++i) o[i] = s[i * innerStride];
      }
    }
  });
}
}  // namespace detail

// dst (dense, row-major over `shape`) = src[sum(ik * srcStrides[k])] for elements of
// `elementSize` bytes, split over the pool by rows of the last axis.
inline void gatherStrided(const void* src, const std::vector<int64_t>& srcStrides, const Shape& shape, void* dst,
                          size_t elementSize, ThreadPool& pool) {
  if (elementCount(shape) == 0) return;
  if (shape.empty()) {
    std::memcpy(dst, src, elementSize);
    return;
  }
  switch (elementSize) {
    case 1: return detail::gatherRows(static_cast<const uint8_t*>(src), srcStrides, shape, static_cast<uint8_t*>(dst), pool);
    case 2: return detail::gatherRows(static_cast<const uint16_t*>(src), srcStrides, shape, static_cast<uint16_t*>(dst), pool);
    case 4: return detail::gatherRows(static_cast<const uint32_t*>(src), srcStrides, shape, static_cast<uint32_t*>(dst), pool);
    case 8: return detail::gatherRows(static_cast<const uint64_t*>(src), srcStrides, shape, static_cast<uint64_t*>(dst), pool);
    default: throw Error("KILN_INTERNAL", "unsupported element size " + std::to_string(elementSize));
  }
}

// Copies a [outer, rows, inner] block between tensors whose middle axes differ in length: the
// block's rows land at row offset `dstRow` of a destination with `dstRows` rows (or are read from
// `srcRow` of a source with `srcRows`). `inner` counts bytes. Used by Concat and Split.
inline void copyAxisBlock(const void* srcBase, int64_t srcRows, int64_t srcRow, void* dstBase, int64_t dstRows, int64_t dstRow,
                          int64_t outer, int64_t rows, int64_t innerBytes, ThreadPool& pool) {
  const auto* src = static_cast<const char*>(srcBase);
  auto* dst = static_cast<char*>(dstBase);
  const int64_t chunk = rows * innerBytes;
  // The block may already be in place: a tensor planned to live inside the other one.
  if (outer == 1 && dst + dstRow * innerBytes == src + srcRow * innerBytes) return;
  parallelRange(pool, outer, std::max<int64_t>(1, 65536 / std::max<int64_t>(1, chunk)), [&](int64_t begin, int64_t end) {
    for (int64_t o = begin; o < end; ++o)
      std::memcpy(dst + (o * dstRows + dstRow) * innerBytes, src + (o * srcRows + srcRow) * innerBytes, chunk);
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
