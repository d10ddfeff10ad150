#pragma once
#include <cstdint>

#include "kernels/conv2d.h"

// The INT8 convolution reads its im2col rows from "tap planes": one batch item's input padded with
// x_zp and split by stride phase (space-to-depth), so that every tap of every output row is a
// unit-stride run of bytes, whatever the stride:
//   plane (c, py, px) [r][col] = padded x [c][r * strideH + py][col * strideW + px]
//   im2col row k at output pixel (oy, ox) = planes[tapOffset[k] + oy * rowStride + ox]
// An unpadded stride-1 input already has this form and is read in place.
namespace kiln::qconv {

// Bytes past the last plane that reads of a 16-pixel run may touch (never used as values).
constexpr int64_t kPlaneSlack = 64;

struct PlaneLayout {
  bool inPlace = false;
  int64_t rows = 0, rowStride = 0;  // of one plane
  int64_t planeBytes = 0;           // rows * rowStride
  int64_t phases = 1;               // planes per input channel: strideH * strideW
  int64_t channelBytes() const { return phases * planeBytes; }
  // One batch item's planes and the slack (0 when read in place).
  int64_t itemBytes(int64_t cin) const { return inPlace ? 0 : cin * channelBytes() + kPlaneSlack; }
};

PlaneLayout planeLayout(const ConvGeometry& g, int64_t h, int64_t w);

// tapOffset[k] for k < roundUp(cin * kh * kw, 4); rows past K repeat the last (their weights are 0).
void tapOffsets(const ConvGeometry& g, const PlaneLayout& l, int64_t* offsets);

// The planes of phase row py (the strideW planes (c, py, *)) of input channel c: x is that channel's
// [h, w] plane, dst the channel's first plane.
void buildPhasePlanes(const ConvGeometry& g, const PlaneLayout& l, const uint8_t* x, int64_t h, int64_t w,
                      uint8_t zeroPoint, int64_t py, uint8_t* dst);

}  // namespace kiln::qconv
