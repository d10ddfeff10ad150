// AVX2: two ymm per block, 6 pixels x 1 block (12 accumulators).
#define KILN_BLOCKED_PIXELS 6
#define KILN_BLOCKED_OUT_BLOCKS 1
#define KILN_BLOCKED_WIDE_PIXELS 0
#include "kernels/blocked_conv_impl.h"

namespace kiln::blocked::detail {

const Kernels& kernelsAvx2() {
  static const Kernels kernels = kernelsOfThisIsa();
  return kernels;
}

}  // namespace kiln::blocked::detail
