#pragma once
#include <cstdint>

// Packing into the panel layouts gemm_kernel.h describes (baseline code, any ISA's panel sizes).
namespace kiln::gemm {

// Floats packA writes for an m x k matrix.
inline int64_t packedASize(int64_t m, int64_t k, int mr) { return (m + mr - 1) / mr * mr * k; }

// Packs the row-major m x k matrix src (leading dimension lda) into MR-row panels of k x MR floats,
// rows past m zero.
void packA(const float* src, int64_t m, int64_t k, int64_t lda, int mr, float* dst);

// Writes one row of B (n floats from src) into its place in every NR-column panel: dst points at
// that row in the first panel, panels are kc x NR floats apart, columns past n are zeroed.
void packBRow(const float* src, int64_t n, int nr, int64_t kc, float* dst);

}  // namespace kiln::gemm
