#define KILN_PACK_VEC_BYTES 16
#include "kernels/conv2d_pack_impl.h"

namespace kiln::conv {

const ConvPackers& convPackersScalar() {
  static const ConvPackers packers{8, Packer<8>::pointwise, Packer<8>::im2col, Packer<8>::phaseIm2col,
                                        Packer<8>::splitPhaseRow};
  return packers;
}

const ConvPackers& convPackers(Isa isa) {
  switch (isa) {
    case Isa::Avx512: return convPackersAvx512();
    case Isa::Avx2: return convPackersAvx2();
    case Isa::Scalar: break;
  }
  return convPackersScalar();
}

}  // namespace kiln::conv
