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

}  // namespace kiln::gemm
