// SSE: four xmm per block, 3 pixels x 1 block (12 accumulators).
#define KILN_BLOCKED_PIXELS 3
#define KILN_BLOCKED_OUT_BLOCKS 1
#define KILN_BLOCKED_WIDE_PIXELS 0
#include "kernels/blocked_conv_impl.h"

namespace kiln::blocked::detail {

const Kernels& kernelsScalar() {
  static const Kernels kernels = kernelsOfThisIsa();
  return kernels;
}

}  // namespace kiln::blocked::detail
