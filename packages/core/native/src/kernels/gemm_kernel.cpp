#include "kernels/gemm_kernel.h"

namespace kiln::gemm {

const GemmKernel& gemmKernel(Isa isa) {
  switch (isa) {
    case Isa::Avx512: return gemmKernelAvx512();
    case Isa::Avx2: return gemmKernelAvx2();
    case Isa::Scalar: break;
  }
  return gemmKernelScalar();
}

}  // namespace kiln::gemm
