#include "kernels/dense.h"

#include <algorithm>

#include "kernels/gemm_pack.h"
#include "kernels/int_math.h"

namespace kiln {

DenseKernel::DenseKernel(Isa isa, int64_t n, int64_t k, const float* weights, const float* bias)
    : gemm_(gemm::gemmKernel(isa)), n_(n), k_(k + 1) {
  panels_ = ceilDiv(n, static_cast<int64_t>(gemm_.nr));
  packedB_ = allocAlignedFloats(panels_ * k_ * gemm_.nr);
  gemm::packFiltersTransposed(weights, bias, n, k, gemm_.nr, packedB_.get());
}

size_t DenseKernel::workspaceBytes(int threads) const {
  return static_cast<size_t>(std::max(threads, 1)) * static_cast<size_t>(roundUp(kRows * k_, int64_t{16})) * sizeof(float);
}

void DenseKernel::run(const float* x, int64_t m, float* y, void* workspace, ThreadPool& pool) const {
  if (m <= 0) return;
  const int64_t mr = gemm_.mr, nr = gemm_.nr, rowBlocks = ceilDiv(m, kRows);
  if (m == 1) {
    // One row reads each weight once: the weights stream, in panel ranges, through gemv.
    float* row = static_cast<float*>(workspace);
    std::copy(x, x + k_ - 1, row);
    row[k_ - 1] = 1.f;
    const int64_t shares = std::min<int64_t>(4 * pool.size(), panels_);
    pool.parallelFor(shares, [&](int64_t share, int) {
      const int64_t first = panels_ * share / shares, last = panels_ * (share + 1) / shares;
      gemm_.gemv(row, packedB_.get() + first * k_ * nr, k_, last - first, y + first * nr, n_ - first * nr);
    });
    return;
  }
  // Each task packs its rows once and runs over its share of the output columns, in whole panels:
  // as many shares as it takes to give every thread a few tasks.
  const int64_t shares = std::clamp<int64_t>(ceilDiv(4 * pool.size(), rowBlocks), 1, panels_);
  pool.parallelFor(rowBlocks * shares, [&](int64_t task, int thread) {
    const int64_t share = task % shares, i0 = task / shares * kRows, rows = std::min(kRows, m - i0);
    float* packed = static_cast<float*>(workspace) + thread * roundUp(kRows * k_, int64_t{16});
    const int64_t inputs = k_ - 1;
    for (int64_t p = 0; p < ceilDiv(rows, mr); ++p) {
      float* panel = packed + p * k_ * mr;
      for (int64_t r = 0; r < mr; ++r) {
        const int64_t i = p * mr + r;
        const float* src = x + (i0 + i) * inputs;
        for (int64_t kk = 0; kk < inputs; ++kk) panel[kk * mr + r] = i < rows ? src[kk] : 0.f;
        panel[inputs * mr + r] = 1.f;
      }
    }
    const int64_t first = panels_ * share / shares, last = panels_ * (share + 1) / shares;
    if (first == last) return;
    gemm::MacroTile t;
    t.a = packed;
    t.aPanelStride = k_ * mr;
    t.b = packedB_.get() + first * k_ * nr;
    t.bPanelStride = k_ * nr;
    t.c = y + i0 * n_ + first * nr;
    t.ldc = n_;
    t.m = rows;
    t.n = std::min(n_, last * nr) - first * nr;
    gemm::macroOverK(gemm_, t, k_, nr);
  });
}

}  // namespace kiln
