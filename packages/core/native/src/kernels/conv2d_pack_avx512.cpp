#define KILN_PACK_VEC_BYTES 64
#include "kernels/conv2d_pack_impl.h"

namespace kiln::conv {

const ConvPackers& convPackersAvx512() {
  static const ConvPackers packers{32, Packer<32>::pointwise, Packer<32>::im2col, Packer<32>::phaseIm2col,
                                        Packer<32>::splitPhaseRow};
  return packers;
}

}  // namespace kiln::conv
