#pragma once
#include <cstdint>

#include "kernels/conv2d.h"

// Packing the convolution's right-hand GEMM matrix X[K, pixels] for one K block x N tile into the
// NR-column panels gemm_kernel.h describes. K = (c, ky, kx) over one group's input channels, pixels =
// (oy, ox) over the output map. Every ISA has its own copy, built for its vector width.
namespace kiln::conv {

struct InputView {
  const float* x;  // the group's first input channel of one batch item: [cin/groups, h, w]
  int64_t h, w;
  int64_t outW;
};

// Rows [k0, k0 + kc) and columns [n0, n0 + n) of X into ceil(n / NR) panels of kc x NR floats at
// dst, panelStride floats apart; columns past n are zero.
struct ConvPackers {
  int nr;
  // Pointwise (1x1, stride 1, no padding): row k of X is input channel k itself.
  void (*pointwise)(const InputView& in, int64_t k0, int64_t kc, int64_t n0, int64_t n, int64_t panelStride,
                    float* dst);
  // Implicit GEMM: the im2col values (zero for padded taps) gathered straight into the panels.
  void (*im2col)(const ConvGeometry& g, const InputView& in, int64_t k0, int64_t kc, int64_t n0, int64_t n,
                 int64_t panelStride, float* dst);
};

const ConvPackers& convPackersScalar();  // NR 8
const ConvPackers& convPackersAvx2();    // NR 16
const ConvPackers& convPackersAvx512();  // NR 32
const ConvPackers& convPackers(Isa isa);

}  // namespace kiln::conv
