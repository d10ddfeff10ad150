#define KILN_WINOGRAD_VEC_BYTES 32
#include "kernels/conv2d_winograd_transform_impl.h"

namespace kiln::winograd {

const Transforms& transformsAvx2() {
  static const Transforms t{8, input, output};
  return t;
}

}  // namespace kiln::winograd
