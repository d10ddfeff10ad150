// SSE: four xmm per block, 3 pixels x 1 block (12 accumulators).
#define KILN_BLOCKED_PIXELS 3
#define KILN_BLOCKED_OUT_BLOCKS 1
#define KILN_BLOCKED_WIDE_PIXELS 0
#include "kernels/blocked_conv_impl.h"

namespace kiln::blocked::detail {

const Kernels& kernelsScalar() {
  static const Kernels kernels{pointwiseTile, KILN_BLOCKED_PIXELS, KILN_BLOCKED_OUT_BLOCKS, depthwiseRow, directTile, windowTile, winogradInput, winogradOutput, maxPoolRow, toBlocked16,
                                 fromBlocked16, nullptr, 0, 0};
  return kernels;
}

}  // namespace kiln::blocked::detail
