#pragma once
#include <array>
#include <cstdint>

#include "engine/broadcast.h"
#include "engine/shape.h"
#include "layers/parallel.h"

namespace kiln {

// Walks the output of an N-input broadcasting op row by row (rows of its last axis), in parallel.
// row(outOffset, inOffsets, innerStrides, inner): input k's element i of the row is at
// inOffsets[k] + i * innerStrides[k] (the stride is 0 along a broadcast axis).
template <size_t N, typename RowFn>
void broadcastRows(const std::array<const Shape*, N>& inputs, const Shape& outShape, ThreadPool& pool, const RowFn& row) {
  const int64_t total = elementCount(outShape);
  if (total == 0) return;
  const Shape shape = outShape.empty() ? Shape{1} : outShape;
  std::array<std::vector<int64_t>, N> strides;
  for (size_t k = 0; k < N; ++k) strides[k] = broadcastStrides(inputs[k]->empty() ? Shape{1} : *inputs[k], shape);
  const size_t rank = shape.size();
  const int64_t inner = shape[rank - 1];
  std::array<int64_t, N> innerStrides;
  for (size_t k = 0; k < N; ++k) innerStrides[k] = strides[k][rank - 1];
  parallelRange(pool, total / inner, std::max<int64_t>(1, 16384 / inner), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      std::array<int64_t, N> offsets{};
      int64_t rem = r;
      for (int64_t d = static_cast<int64_t>(rank) - 2; d >= 0; --d) {
        const int64_t idx = rem % shape[d];
        rem /= shape[d];
        for (size_t k = 0; k < N; ++k) offsets[k] += idx * strides[k][d];
      }
      row(r * inner, offsets, innerStrides, inner);
    }
  });
}

}  // namespace kiln
