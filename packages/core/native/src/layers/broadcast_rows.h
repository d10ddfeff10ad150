#pragma once
#include <algorithm>
#include <array>
#include <cstdint>

#include "engine/broadcast.h"
#include "engine/shape.h"
#include "layers/parallel.h"

namespace kiln {

// Merges each axis into the next wherever every input steps through the two as through one (both
// contiguous, or both broadcast), so that rows get as long as the inputs' layouts allow: a
// [N, C, H, W] tensor times a [N, C, 1, 1] one becomes N·C rows of H·W.
template <size_t N>
void mergeAxes(Shape& shape, std::array<std::vector<int64_t>, N>& strides) {
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d) {
    bool linear = true;
    for (size_t k = 0; k < N; ++k) linear = linear && strides[k][d] == strides[k][d + 1] * shape[d + 1];
    if (!linear) continue;
    shape[d + 1] *= shape[d];
    shape.erase(shape.begin() + d);
    for (size_t k = 0; k < N; ++k) strides[k].erase(strides[k].begin() + d);
  }
}

// Walks the output of an N-input broadcasting op row by row (rows of its last axis, after
// mergeAxes), in parallel. row(outOffset, inOffsets, innerStrides, inner): input k's element i of
// the row is at inOffsets[k] + i * innerStrides[k] (the stride is 0 along a broadcast axis).
template <size_t N, typename RowFn>
void broadcastRows(const std::array<const Shape*, N>& inputs, const Shape& outShape, ThreadPool& pool, const RowFn& row) {
  const int64_t total = elementCount(outShape);
  if (total == 0) return;
  Shape shape = outShape.empty() ? Shape{1} : outShape;
  std::array<std::vector<int64_t>, N> strides;
  for (size_t k = 0; k < N; ++k) strides[k] = broadcastStrides(inputs[k]->empty() ? Shape{1} : *inputs[k], shape);
  mergeAxes(shape, strides);
  const size_t rank = shape.size();
  const int64_t inner = shape[rank - 1];
  std::array<int64_t, N> innerStrides;
  for (size_t k = 0; k < N; ++k) innerStrides[k] = strides[k][rank - 1];
  // A long row (a whole tensor, once its axes merged) is cut into pieces the threads share.
  constexpr int64_t kPiece = 16384;
  const int64_t pieces = (inner + kPiece - 1) / kPiece, piece = (inner + pieces - 1) / pieces;
  parallelRange(pool, total / inner * pieces, std::max<int64_t>(1, kPiece / piece), [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) {
      const int64_t r = t / pieces, first = t % pieces * piece, count = std::min(piece, inner - first);
      std::array<int64_t, N> offsets{};
      int64_t rem = r;
      for (int64_t d = static_cast<int64_t>(rank) - 2; d >= 0; --d) {
        const int64_t idx = rem % shape[d];
        rem /= shape[d];
        for (size_t k = 0; k < N; ++k) offsets[k] += idx * strides[k][d];
      }
      for (size_t k = 0; k < N; ++k) offsets[k] += first * innerStrides[k];
      row(r * inner + first, offsets, innerStrides, count);
    }
  });
}

}  // namespace kiln
