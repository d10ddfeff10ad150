#pragma once
#include <cstdint>

#include "kernels/activation.h"
#include "runtime/cpu_features.h"

// The packed SGEMM building block shared by the convolution kernels.
//
// A (m x k) is packed in panels of MR rows: for each k, MR consecutive floats (rows past m are zero).
// B (k x n) is packed in panels of NR columns: for each k, NR consecutive floats (columns past n are
// zero). C is row-major with leading dimension ldc and is written only inside [m x n].
namespace kiln::gemm {

struct MacroTile {
  const float* a = nullptr;   // first A panel, already offset to the first k of this block
  int64_t aPanelStride = 0;   // floats from one A panel to the next
  const float* b = nullptr;   // ceil(n / NR) B panels of k x NR floats
  int64_t bPanelStride = 0;   // floats from one B panel to the next (>= k * NR)
  // Indirect B, or null: row p of panel j is then the NR floats at b + j * bPanelStride + bRows[p]
  // (B read in place, e.g. from an input plane, instead of packed); every panel must be full (n a
  // multiple of NR).
  const int64_t* bRows = nullptr;
  float* c = nullptr;
  int64_t ldc = 0;
  int64_t m = 0, n = 0, k = 0;
  bool accumulate = false;    // C += A*B (a K block after the first); otherwise C = A*B
  bool last = true;           // the last K block: apply bias and epilogue before the store
  const float* bias = nullptr;  // m values, or null; read only when last
  // m x n values laid out like C (leading dimension ldc), or null: added after the activation
  // (a fused residual Add); read only when last. Must not overlap C.
  const float* residual = nullptr;
  Epilogue epilogue;
};

// Computes one MacroTile: every MR x NR micro-tile of C, A panels in the outer loop so that each
// stays in L1 while the B panels stream from L2.
using MacroKernelFn = void (*)(const MacroTile& tile);

// One row of A against packed B: y[j] = sum over p < k of x[p] * B[p][j], for the j < n of `panels`
// consecutive B panels (k x NR floats each, one after the other). B is read once, front to back: a
// matrix-vector product is as fast as B streams from memory.
using GemvFn = void (*)(const float* x, const float* b, int64_t k, int64_t panels, float* y, int64_t n);

struct GemmKernel {
  Isa isa;
  int mr, nr;
  int64_t kc;  // K block: one A panel slice (kc x MR) stays in L1
  int64_t nc;  // N block: the packed B block (kc x nc) stays in L2
  MacroKernelFn macro;
  GemvFn gemv;
};

const GemmKernel& gemmKernelScalar();
const GemmKernel& gemmKernelAvx2();
const GemmKernel& gemmKernelAvx512();

// The kernel for an ISA; the caller must have checked cpuSupports(isa).
const GemmKernel& gemmKernel(Isa isa);

// The K block length when K is cut into equal blocks of at most kernel.kc rows (no short last block).
int64_t equalKBlock(const GemmKernel& kernel, int64_t k);

// Runs t over all k rows of K in equal blocks: t.a and t.b point at K row 0 of their first panels,
// whose rows are MR and bRowFloats floats apart (NR when B is packed; B's rows in place keep
// t.bRows, relative to each block's first row). Blocks after the first accumulate; the last applies
// the bias and epilogue.
void macroOverK(const GemmKernel& kernel, MacroTile t, int64_t k, int64_t bRowFloats);

}  // namespace kiln::gemm
