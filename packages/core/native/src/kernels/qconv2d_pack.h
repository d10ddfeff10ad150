#pragma once
#include <cstdint>

#include "kernels/conv2d.h"

// Packing the INT8 convolution's operands into the layouts qgemm_kernel.h describes. K = (c, ky, kx)
// over the input channels, padded to kGroups(K) groups of 4; pixels = (oy, ox) over the output map.
namespace kiln::qconv {

inline int64_t kGroups(int64_t k) { return (k + 3) / 4; }

// W [cout, K] s8 into ceil(cout / mr) panels of kGroups(K) x mr x 4 bytes (zero past cout and K).
void packWeights(const int8_t* w, int64_t cout, int64_t k, int mr, int8_t* dst);

struct QInputView {
  const uint8_t* x;  // one batch item: [cin, h, w]
  int64_t h, w;
  int64_t outW;
  uint8_t zeroPoint;  // what padded taps hold
};

// Pixels [n0, n0 + n) of X (all of K) into ceil(n / nr) panels of kGroups(K) x nr x 4 bytes,
// panelStride bytes apart. nr is a multiple of 16; scratch holds packScratchBytes(K, n, nr): the
// im2col rows of the whole tile, gathered first so that each is a few long copies.
inline int64_t packScratchBytes(int64_t k, int64_t n, int nr) { return k * ((n + nr - 1) / nr * nr); }

void packInput(const ConvGeometry& g, const QInputView& in, int64_t n0, int64_t n, int nr, int64_t panelStride,
               uint8_t* dst, uint8_t* scratch);

}  // namespace kiln::qconv
