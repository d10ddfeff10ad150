// Building the tap planes (qconv2d_planes.h), baseline x86-64 (SSE2): stride-2 rows are split into
// their even and odd bytes 32 at a time.
#include "kernels/qconv2d_planes.h"

#include <emmintrin.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace kiln::qconv {
namespace {

// even[i] = src[2i], odd[i] = src[2i + 1] for i < count; src holds 2 * count + 32 bytes.
void splitEvenOdd(const uint8_t* src, int64_t count, uint8_t* even, uint8_t* odd) {
  const __m128i low = _mm_set1_epi16(0xff);
  int64_t i = 0;
  for (; i + 16 <= count; i += 16) {
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 2 * i));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 2 * i + 16));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(even + i),
                     _mm_packus_epi16(_mm_and_si128(a, low), _mm_and_si128(b, low)));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(odd + i),
                     _mm_packus_epi16(_mm_srli_epi16(a, 8), _mm_srli_epi16(b, 8)));
  }
  for (; i < count; ++i) even[i] = src[2 * i], odd[i] = src[2 * i + 1];
}

}  // namespace

PlaneLayout planeLayout(const ConvGeometry& g, int64_t h, int64_t w) {
  PlaneLayout l;
  l.inPlace = g.strideH == 1 && g.strideW == 1 && g.padTop == 0 && g.padLeft == 0 && g.padBottom == 0 &&
              g.padRight == 0;
  const int64_t paddedH = h + g.padTop + g.padBottom, paddedW = w + g.padLeft + g.padRight;
  l.rows = (paddedH + g.strideH - 1) / g.strideH;
  l.rowStride = (paddedW + g.strideW - 1) / g.strideW;
  l.planeBytes = l.rows * l.rowStride;
  l.phases = g.strideH * g.strideW;
  return l;
}

void tapOffsets(const ConvGeometry& g, const PlaneLayout& l, int64_t* offsets) {
  const int64_t k = g.cin * g.kh * g.kw;
  for (int64_t kk = 0; kk < (k + 3) / 4 * 4; ++kk) {
    const int64_t t = std::min(kk, k - 1);
    const int64_t c = t / (g.kh * g.kw), dy = t / g.kw % g.kh * g.dilationH, dx = t % g.kw * g.dilationW;
    const int64_t plane = c * l.phases + dy % g.strideH * g.strideW + dx % g.strideW;
    offsets[kk] = plane * l.planeBytes + dy / g.strideH * l.rowStride + dx / g.strideW;
  }
}

void buildPhasePlanes(const ConvGeometry& g, const PlaneLayout& l, const uint8_t* x, int64_t h, int64_t w,
                      uint8_t zeroPoint, int64_t py, uint8_t* dst) {
  const int64_t sw = g.strideW, paddedW = l.rowStride * sw;
  // One padded input row, with room for splitEvenOdd's reads.
  std::vector<uint8_t> padded(sw == 1 ? 0 : paddedW + 32, zeroPoint);
  uint8_t* planes = dst + py * sw * l.planeBytes;
  for (int64_t r = 0; r < l.rows; ++r) {
    const int64_t iy = r * g.strideH + py - g.padTop;
    const bool inside = iy >= 0 && iy < h;
    if (!inside) {
      for (int64_t px = 0; px < sw; ++px)
        std::memset(planes + px * l.planeBytes + r * l.rowStride, zeroPoint, l.rowStride);
      continue;
    }
    const uint8_t* row = x + iy * w;
    if (sw == 1) {
      uint8_t* out = planes + r * l.rowStride;
      const int64_t copy = std::min(w, l.rowStride - g.padLeft);
      std::memset(out, zeroPoint, g.padLeft);
      std::memcpy(out + g.padLeft, row, copy);
      std::memset(out + g.padLeft + copy, zeroPoint, l.rowStride - g.padLeft - copy);
      continue;
    }
    std::memcpy(padded.data() + g.padLeft, row, w);
    if (sw == 2) {
      splitEvenOdd(padded.data(), l.rowStride, planes + r * l.rowStride, planes + l.planeBytes + r * l.rowStride);
    } else {
      for (int64_t px = 0; px < sw; ++px) {
        uint8_t* out = planes + px * l.planeBytes + r * l.rowStride;
        for (int64_t col = 0; col < l.rowStride; ++col) out[col] = padded[col * sw + px];
      }
    }
  }
}

}  // namespace kiln::qconv
