#pragma once
#include <cstdint>

#include "runtime/cpu_features.h"

namespace kiln {

// The planes of a 3x3 window at stride 1 or 2 (dilation 1), any padding, computed straight from the
// input rows with AVX2 or AVX-512 (window3x3_avx2.cpp, window3x3_avx512.cpp): the depthwise
// convolution (bias + the weighted taps, padding zero) and max pooling (padding -inf).
struct Window3x3Plane {
  const float* x;
  int64_t h, w;
  float* y;
  int64_t oh, ow;
  int64_t stride, padTop, padLeft;
  // Outputs clamped to [lo, hi] on the way out (a fused ReLU or Clip; NaN to lo).
  bool clamp = false;
  float lo = 0.f, hi = 0.f;
};

// A run of consecutive planes starting at p.x / p.y (each next one h·w and oh·ow floats on); plane i
// is channel (channel0 + i) % channels, whose 9 weights are at weights + 9·channel and whose bias
// starts its outputs (max pooling has neither: its outputs start at -inf).
struct Window3x3Run {
  int64_t planes, channel0, channels;
  const float* weights;
  const float* bias;
};

// Whether a window of this shape runs here on this ISA: 3x3, stride 1 or 2 both ways, dilation 1,
// AVX2 or AVX-512.
bool window3x3Applies(Isa isa, int64_t kh, int64_t kw, int64_t strideH, int64_t strideW, int64_t dilationH,
                      int64_t dilationW);

// The ISA must be one window3x3Applies accepts.
void depthwisePlanes3x3(Isa isa, const Window3x3Plane& p, const Window3x3Run& run);
// `planes` consecutive planes of max pooling.
void maxPoolPlanes3x3(Isa isa, const Window3x3Plane& p, int64_t planes);

namespace detail {
void depthwisePlanes3x3Avx2(const Window3x3Plane& p, const Window3x3Run& run);
void depthwisePlanes3x3Avx512(const Window3x3Plane& p, const Window3x3Run& run);
void maxPoolPlanes3x3Avx2(const Window3x3Plane& p, int64_t planes);
void maxPoolPlanes3x3Avx512(const Window3x3Plane& p, int64_t planes);
}  // namespace detail

}  // namespace kiln
