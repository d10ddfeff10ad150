#define KILN_WINOGRAD_VEC_BYTES 16
#include "kernels/conv2d_winograd_transform_impl.h"

namespace kiln::winograd {

const Transforms& transformsScalar() {
  static const Transforms t{4, input, output};
  return t;
}

const Transforms& transforms(Isa isa) {
  switch (isa) {
    case Isa::Avx512: return transformsAvx512();
    case Isa::Avx2: return transformsAvx2();
    case Isa::Scalar: break;
  }
  return transformsScalar();
}

}  // namespace kiln::winograd
