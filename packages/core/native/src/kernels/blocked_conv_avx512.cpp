// AVX-512: one zmm per block, 12 pixels x 2 blocks (24 accumulators).
#define KILN_BLOCKED_PIXELS 12
#define KILN_BLOCKED_OUT_BLOCKS 2
#define KILN_BLOCKED_WIDE_PIXELS 6
#include "kernels/blocked_conv_impl.h"

namespace kiln::blocked::detail {

const Kernels& kernelsAvx512() {
  static const Kernels kernels{pointwiseTile, KILN_BLOCKED_PIXELS, KILN_BLOCKED_OUT_BLOCKS, depthwiseRow, directTile, windowTile, winogradInput, winogradOutput, maxPoolRow, toBlocked16,
                                 fromBlocked16, windowWideTile, KILN_BLOCKED_WIDE_PIXELS, 4};
  return kernels;
}

}  // namespace kiln::blocked::detail
