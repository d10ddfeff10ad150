#pragma once
#include <cstdint>

#include "runtime/cpu_features.h"

namespace kiln {

// YOLOv5's head decode of one feature-map row of one anchor (the YoloDecode layer's inner loop):
// with s = sigmoid(x[c * plane + j]) for channel c < k and pixel j < w, writes y[j * k + c] =
//   c < 2: (2s + grid[2j + c]) * stride;   c < 4: (2s)^2 * anchor[2j + c - 2];   else s.
struct YoloDecodeRow {
  const float* x = nullptr;  // channel 0 of the row; channel c at x + c * plane
  int64_t plane = 0;         // floats from one channel to the next
  int64_t w = 0, k = 0;      // pixels in the row; values per pixel (k >= 5)
  const float* grid = nullptr;    // 2 floats per pixel
  const float* anchor = nullptr;  // 2 floats per pixel
  float stride = 1.f;
  float* y = nullptr;        // w * k floats, not overlapping x
};

// Floats of scratch yoloDecodeRow needs for a row of w pixels and k values (the scalar path
// gathers the row there first).
inline int64_t yoloDecodeScratchFloats(int64_t w, int64_t k) { return w * k + 16; }

// Decodes one row with the vector code of the given ISA (which this CPU must support): AVX2 and
// AVX-512 sigmoid 8x8 blocks of (channels x pixels) in registers and transpose them there; the
// scalar path gathers, activates and transposes through `scratch`.
void yoloDecodeRow(Isa isa, const YoloDecodeRow& row, float* scratch);

// The scalar path, which the tests compare the others with.
void yoloDecodeRowScalar(const YoloDecodeRow& row, float* scratch);

namespace detail {
void yoloDecodeRowAvx2(const YoloDecodeRow& row);
}  // namespace detail

}  // namespace kiln
