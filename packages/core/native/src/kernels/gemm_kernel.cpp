#include "kernels/gemm_kernel.h"

#include "kernels/int_math.h"

namespace kiln::gemm {

const GemmKernel& gemmKernel(Isa isa) {
  switch (isa) {
    case Isa::Avx512: return gemmKernelAvx512();
    case Isa::Avx2: return gemmKernelAvx2();
    case Isa::Scalar: break;
  }
  return gemmKernelScalar();
}

int64_t equalKBlock(const GemmKernel& kernel, int64_t k) { return ceilDiv(k, ceilDiv(k, kernel.kc)); }

void macroOverK(const GemmKernel& kernel, MacroTile t, int64_t k, int64_t bRowFloats) {
  const int64_t kc = equalKBlock(kernel, k);
  const float* a = t.a;
  const float* b = t.b;
  for (int64_t k0 = 0; k0 < k; k0 += kc) {
    t.a = a + k0 * kernel.mr;
    t.b = b + k0 * bRowFloats;
    t.k = k - k0 < kc ? k - k0 : kc;
    t.accumulate = k0 > 0;
    t.last = k0 + kc >= k;
    kernel.macro(t);
  }
}

}  // namespace kiln::gemm
