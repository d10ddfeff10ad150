#pragma once
#include <cstdint>

#include "kernels/conv2d.h"

// Packing the convolution's right-hand GEMM matrix X[K, pixels] for one K block x N tile, where
// K = (c, ky, kx) over one group's input channels and pixels = (oy, ox) over the output map.
namespace kiln::conv {

struct InputView {
  const float* x;  // the group's first input channel of one batch item: [cin/groups, h, w]
  int64_t h, w;
  int64_t outW;
};

// Pointwise (1x1, stride 1, no padding): row k of X is input channel k itself.
void packPointwise(const InputView& in, int64_t k0, int64_t kc, int64_t n0, int64_t n, int nr, float* dst);

// Implicit GEMM: gathers the im2col values (zero for padded taps) of rows [k0, k0 + kc) and
// columns [n0, n0 + n) straight into the panels. row: scratch for n floats.
void packIm2col(const ConvGeometry& g, const InputView& in, int64_t k0, int64_t kc, int64_t n0, int64_t n,
                int nr, float* row, float* dst);

}  // namespace kiln::conv
