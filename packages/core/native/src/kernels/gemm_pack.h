#pragma once
#include <cstdint>

// Packing the left-hand matrix into the panel layout gemm_kernel.h describes (done once, at kernel
// creation, so plain baseline code).
namespace kiln::gemm {

// Floats packA writes for an m x k matrix.
inline int64_t packedASize(int64_t m, int64_t k, int mr) { return (m + mr - 1) / mr * mr * k; }

// Packs the row-major m x k matrix src (leading dimension lda) into MR-row panels of k x MR floats,
// rows past m zero.
void packA(const float* src, int64_t m, int64_t k, int64_t lda, int mr, float* dst);

// The transposed 1x1 convolution's operands, Y^T[pixel, cout] = X^T[pixel, cin + 1] x B[cin + 1,
// cout], the bias riding along as row cin of B against a column of ones in A:
// A: pixels [0, m) of x ([cin, plane] floats from the first pixel) as MR-pixel panels of
//    (cin + 1) x MR floats, row cin all ones, pixels past m zero. Runs at any time (per tile).
void packPixelsTransposed(const float* x, int64_t plane, int64_t cin, int64_t m, int mr, float* dst);
// B: the filters [cout, cin] transposed into NR-channel panels of (cin + 1) x NR floats, row cin the
//    bias (or zero), channels past cout zero.
void packFiltersTransposed(const float* weights, const float* bias, int64_t cout, int64_t cin, int nr, float* dst);

}  // namespace kiln::gemm
