#define KILN_WINOGRAD_VEC_BYTES 64
#include "kernels/conv2d_winograd_transform_impl.h"

namespace kiln::winograd {

const Transforms& transformsAvx512() {
  static const Transforms t{16, input, output};
  return t;
}

}  // namespace kiln::winograd
