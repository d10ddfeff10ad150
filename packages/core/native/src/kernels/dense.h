#pragma once
#include <cstddef>
#include <cstdint>

#include "kernels/aligned_floats.h"
#include "kernels/gemm_kernel.h"
#include "runtime/cpu_features.h"
#include "runtime/thread_pool.h"

namespace kiln {

// A fully connected layer with constant weights, Y[m, n] = X[m, k] · W[n, k]^T + bias, on the
// packed SGEMM micro-kernels: W packed once into NR-column panels with the bias as one more K row,
// X's rows packed per task with a column of ones, so a batch of rows reads the weights once; a
// single row goes through gemv.
class DenseKernel {
 public:
  // weights: [n, k] (each output's k weights); bias: n values, or null.
  DenseKernel(Isa isa, int64_t n, int64_t k, const float* weights, const float* bias);
  size_t workspaceBytes(int threads) const;
  // x: [m, k] row-major; y: [m, n]. workspace: workspaceBytes() bytes, 64-byte aligned.
  void run(const float* x, int64_t m, float* y, void* workspace, ThreadPool& pool) const;

 private:
  static constexpr int64_t kRows = 96;  // rows one task packs: a multiple of every ISA's MR
  const gemm::GemmKernel& gemm_;
  int64_t n_, k_;  // k_: the input length plus the bias row
  int64_t panels_ = 0;
  AlignedFloats packedB_;
};

}  // namespace kiln
