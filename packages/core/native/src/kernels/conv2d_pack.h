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

// The phase planes of a convolution's input with stride st = 1 or 2 (space-to-depth for 2): plane
// (c, r, q) of the group's channel c holds z[u][v] = x[c][st (u - bt) + r][st (v - bl) + q], zero
// outside the input, with bt = ceil(padTop / st), bl = ceil(padLeft / st) rows and columns of zero
// border, so that every tap of every output pixel reads a plane in range, at unit stride.
struct PhaseView {
  const float* z;  // the group's first channel: [cin/groups][st][st][zh][zw]; row u is the tile's
                   // output row u's first tap row
  int64_t zh, zw;
  int64_t outW;
};

// Rows [k0, k0 + kc) and columns [n0, n0 + n) of X into ceil(n / NR) panels of kc x NR floats at
// dst, panelStride floats apart; columns past n are zero.
struct ConvPackers {
  int nr;
  // Pointwise (1x1, stride 1, no padding): row k of X is input channel k itself. Columns may run on
  // into the next images (imageStride floats apart): column c is pixel c % (h w) of image c / (h w).
  void (*pointwise)(const InputView& in, int64_t imageStride, int64_t k0, int64_t kc, int64_t n0, int64_t n,
                    int64_t panelStride, float* dst);
  // Implicit GEMM: the im2col values (zero for padded taps) gathered straight into the panels.
  void (*im2col)(const ConvGeometry& g, const InputView& in, int64_t k0, int64_t kc, int64_t n0, int64_t n,
                 int64_t panelStride, float* dst);
  // Space-to-depth (stride 2) and direct rows (stride 1; one plane per channel, zero-padded),
  // dilation 1: the im2col values read from the phase planes.
  void (*phaseIm2col)(const ConvGeometry& g, const PhaseView& in, int64_t k0, int64_t kc, int64_t n0, int64_t n,
                      int64_t panelStride, float* dst);
  // Row u of both column phases of row phase r of one channel: x is the channel's [h, w] plane,
  // d0 and d1 receive the zw floats of row u of its phase planes (r, 0) and (r, 1).
  void (*splitPhaseRow)(const float* x, int64_t h, int64_t w, int64_t bt, int64_t bl, int64_t r, int64_t u,
                        int64_t zw, float* d0, float* d1);
};

const ConvPackers& convPackersScalar();  // NR 8
const ConvPackers& convPackersAvx2();    // NR 16
const ConvPackers& convPackersAvx512();  // NR 32
const ConvPackers& convPackers(Isa isa);

}  // namespace kiln::conv
