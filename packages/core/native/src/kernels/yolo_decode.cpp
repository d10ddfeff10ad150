#include "kernels/yolo_decode.h"

#include <algorithm>

#include "kernels/activation_scalar.h"

namespace kiln {

// The channel values at pixel j of an already-activated row: the box centre and size from the
// grid and anchors, the rest as they are.
static inline void decodePixel(const float* s, int64_t w, int64_t k, int64_t j, const YoloDecodeRow& r, float* o) {
  const float* g = r.grid + 2 * j;
  const float* an = r.anchor + 2 * j;
  o[0] = (s[j] * 2.f + g[0]) * r.stride;
  o[1] = (s[w + j] * 2.f + g[1]) * r.stride;
  const float sw = s[2 * w + j] * 2.f, sh = s[3 * w + j] * 2.f;
  o[2] = sw * sw * an[0];
  o[3] = sh * sh * an[1];
  for (int64_t c = 4; c < k; ++c) o[c] = s[c * w + j];
}

void yoloDecodeRowScalar(const YoloDecodeRow& r, float* s) {
  const int64_t w = r.w, k = r.k;
  Epilogue sigmoid;
  sigmoid.act = Activation::Sigmoid;
  for (int64_t c = 0; c < k; ++c)
    for (int64_t j = 0; j < w; ++j) s[c * w + j] = activateScalar(r.x[c * r.plane + j], sigmoid);
  for (int64_t j = 0; j < w; ++j) decodePixel(s, w, k, j, r, r.y + j * k);
}

void yoloDecodeRow(Isa isa, const YoloDecodeRow& row, float* scratch) {
  if (isa != Isa::Scalar && cpuSupports(Isa::Avx2)) return detail::yoloDecodeRowAvx2(row);
  yoloDecodeRowScalar(row, scratch);
}

}  // namespace kiln
