#pragma once
#include <cstdint>

#include "kernels/conv2d.h"

// Packing the INT8 convolution's operands into the layouts qgemm_kernel.h describes. K = (c, ky, kx)
// over the input channels, padded to kGroups(K) groups of 4; pixels = (oy, ox) over the output map.
namespace kiln::qconv {

inline int64_t kGroups(int64_t k) { return (k + 3) / 4; }

// W [cout, K] s8 into ceil(cout / mr) panels of kGroups(K) x mr x 4 bytes (zero past cout and K).
void packWeights(const int8_t* w, int64_t cout, int64_t k, int mr, int8_t* dst);

// Where the im2col rows of one batch item are read from (qconv2d_planes.h): row k at output pixel
// (oy, ox) is planes[tapOffsets[k] + oy * rowStride + ox].
struct QPlanesView {
  const uint8_t* planes;
  const int64_t* tapOffsets;  // kGroups(K) * 4 entries
  int64_t rowStride, outW;
  uint8_t zeroPoint;  // what columns past the tile's pixels hold
  // XORed into every packed byte: 0x80 packs x - 128 as s8 for kernels with activationOffset 128.
  uint8_t flip;
};

// Pixels [n0, n0 + n) of X (kGroups x 4 rows) into ceil(n / nr) panels of kGroups x nr x 4 bytes,
// panelStride bytes apart; nr is a multiple of 16.
void packInput(const QPlanesView& in, int64_t kGroups, int64_t n0, int64_t n, int nr, int64_t panelStride,
               uint8_t* dst);

}  // namespace kiln::qconv
