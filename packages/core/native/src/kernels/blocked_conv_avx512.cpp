// AVX-512: one zmm per block, 12 pixels x 2 blocks (24 accumulators); wide tiles 6 pixels x 4 blocks.
#define KILN_BLOCKED_PIXELS 12
#define KILN_BLOCKED_OUT_BLOCKS 2
#define KILN_BLOCKED_WIDE_PIXELS 6
#include "kernels/blocked_conv_impl.h"

namespace kiln::blocked::detail {

const Kernels& kernelsAvx512() {
  static const Kernels kernels = kernelsOfThisIsa();
  return kernels;
}

}  // namespace kiln::blocked::detail
