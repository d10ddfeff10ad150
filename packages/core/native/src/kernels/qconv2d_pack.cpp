// The INT8 packers, in baseline x86-64 (SSE2): each group of 4 K rows of NR pixels is gathered row
// by row (the im2col values, x_zp for padded taps) and then interleaved into NR 4-byte columns.
#include "kernels/qconv2d_pack.h"
#include "kernels/qgemm_kernel.h"

#include <emmintrin.h>

#include <algorithm>
#include <cstring>

namespace kiln::qconv {
namespace {

bool isPointwise(const ConvGeometry& g) {
  return g.kh == 1 && g.kw == 1 && g.strideH == 1 && g.strideW == 1 && g.padTop == 0 && g.padLeft == 0 &&
         g.padBottom == 0 && g.padRight == 0;
}

// dst[p * 4 + i] = rows[i][p] for p < nr (a multiple of 16).
void interleave4(const uint8_t* const rows[4], int nr, uint8_t* dst) {
  for (int p = 0; p < nr; p += 16) {
    const __m128i r0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(rows[0] + p));
    const __m128i r1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(rows[1] + p));
    const __m128i r2 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(rows[2] + p));
    const __m128i r3 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(rows[3] + p));
    const __m128i a0 = _mm_unpacklo_epi8(r0, r1), a1 = _mm_unpackhi_epi8(r0, r1);
    const __m128i b0 = _mm_unpacklo_epi8(r2, r3), b1 = _mm_unpackhi_epi8(r2, r3);
    __m128i* d = reinterpret_cast<__m128i*>(dst + p * 4);
    _mm_storeu_si128(d + 0, _mm_unpacklo_epi16(a0, b0));
    _mm_storeu_si128(d + 1, _mm_unpackhi_epi16(a0, b0));
    _mm_storeu_si128(d + 2, _mm_unpacklo_epi16(a1, b1));
    _mm_storeu_si128(d + 3, _mm_unpackhi_epi16(a1, b1));
  }
}

// Row k of im2col(X) over pixels [p0, p0 + count) into dst, output row by output row: the taps
// inside the input are one copy (strided for stride > 1), those outside x_zp.
void gatherRow(const ConvGeometry& g, const QInputView& in, int64_t k, int64_t p0, int64_t count, uint8_t* dst) {
  const int64_t c = k / (g.kh * g.kw), ky = k / g.kw % g.kh, kx = k % g.kw;
  const uint8_t* plane = in.x + c * in.h * in.w;
  const int64_t sw = g.strideW;
  int64_t oy = p0 / in.outW, ox = p0 % in.outW;
  for (int64_t i = 0; i < count; ox = 0, ++oy) {
    const int64_t seg = std::min(count - i, in.outW - ox);
    uint8_t* out = dst + i;
    i += seg;
    const int64_t iy = oy * g.strideH - g.padTop + ky * g.dilationH;
    if (iy < 0 || iy >= in.h) {
      std::memset(out, in.zeroPoint, seg);
      continue;
    }
    const uint8_t* row = plane + iy * in.w;
    const int64_t ix0 = ox * sw - g.padLeft + kx * g.dilationW;  // the input column of out[0]
    // Taps [lo, hi) fall inside the row.
    const int64_t lo = std::min(seg, ix0 >= 0 ? 0 : (-ix0 + sw - 1) / sw);
    const int64_t hi = std::max(lo, std::min(seg, ix0 >= in.w ? 0 : (in.w - 1 - ix0) / sw + 1));
    std::memset(out, in.zeroPoint, lo);
    if (sw == 1) {
      std::memcpy(out + lo, row + ix0 + lo, hi - lo);
    } else {
      const uint8_t* src = row + ix0;
      int64_t t = lo;
      // Stride 2: the even bytes of 32 in-row bytes at a time (their 16-bit halves packed).
      if (sw == 2)
        for (const __m128i low = _mm_set1_epi16(0xff); t + 16 <= hi && ix0 + 2 * t + 32 <= in.w; t += 16) {
          const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 2 * t));
          const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 2 * t + 16));
          _mm_storeu_si128(reinterpret_cast<__m128i*>(out + t),
                           _mm_packus_epi16(_mm_and_si128(a, low), _mm_and_si128(b, low)));
        }
      for (; t < hi; ++t) out[t] = src[t * sw];
    }
    std::memset(out + hi, in.zeroPoint, seg - hi);
  }
}

}  // namespace

void packWeights(const int8_t* w, int64_t cout, int64_t k, int mr, int8_t* dst) {
  const int64_t groups = kGroups(k), panels = (cout + mr - 1) / mr;
  std::memset(dst, 0, static_cast<size_t>(panels * groups * mr * 4));
  for (int64_t oc = 0; oc < cout; ++oc) {
    int8_t* panel = dst + oc / mr * groups * mr * 4 + oc % mr * 4;
    for (int64_t kk = 0; kk < k; ++kk) panel[kk / 4 * mr * 4 + kk % 4] = w[oc * k + kk];
  }
}

void packInput(const ConvGeometry& g, const QInputView& in, int64_t n0, int64_t n, int nr, int64_t panelStride,
               uint8_t* dst, uint8_t* scratch) {
  static const uint8_t kZeros[qgemm::kMaxNr] = {};
  const int64_t k = g.cin * g.kh * g.kw, groups = kGroups(k), hw = in.h * in.w;
  const int64_t width = (n + nr - 1) / nr * nr;  // a scratch row: the tile's pixels, whole panels
  const bool pointwise = isPointwise(g);
  // Pointwise reads its rows in place but for the last, partial panel.
  const int64_t direct = pointwise ? n / nr * nr : 0;
  if (direct < n)
    for (int64_t kk = 0; kk < k; ++kk) {
      uint8_t* row = scratch + kk * width;
      if (pointwise)
        std::memcpy(row + direct, in.x + kk * hw + n0 + direct, n - direct);
      else
        gatherRow(g, in, kk, n0, n, row);
      std::memset(row + n, in.zeroPoint, width - n);
    }
  for (int64_t j = 0; j * nr < n; ++j) {
    uint8_t* panel = dst + j * panelStride;
    const bool inPlace = j * nr < direct;
    for (int64_t q = 0; q < groups; ++q) {
      const uint8_t* rows[4];
      for (int i = 0; i < 4; ++i) {
        const int64_t kk = q * 4 + i;
        rows[i] = kk >= k ? kZeros : inPlace ? in.x + kk * hw + n0 + j * nr : scratch + kk * width + j * nr;
      }
      interleave4(rows, nr, panel + q * nr * 4);
    }
  }
}

}  // namespace kiln::qconv
