#pragma once
#include <cstdint>

namespace kiln::detail {

// One plane of a 3x3 window at stride 1 or 2 (dilation 1), any padding, computed straight from the
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

void depthwisePlane3x3Avx2(const Window3x3Plane& p, const float* weights, float bias);
void depthwisePlane3x3Avx512(const Window3x3Plane& p, const float* weights, float bias);
void maxPoolPlane3x3Avx2(const Window3x3Plane& p);
void maxPoolPlane3x3Avx512(const Window3x3Plane& p);

}  // namespace kiln::detail
