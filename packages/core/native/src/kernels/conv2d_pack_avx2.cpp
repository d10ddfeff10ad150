#define KILN_PACK_VEC_BYTES 32
#include "kernels/conv2d_pack_impl.h"

namespace kiln::conv {

const ConvPackers& convPackersAvx2() {
  static const ConvPackers packers{16, Packer<16>::pointwise, Packer<16>::im2col, Packer<16>::phaseIm2col,
                                        Packer<16>::splitPhaseRow};
  return packers;
}

}  // namespace kiln::conv
