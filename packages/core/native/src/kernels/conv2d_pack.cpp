#include "kernels/conv2d_pack.h"

#include <algorithm>
#include <cstring>

#include <emmintrin.h>

#include "kernels/gemm_pack.h"

namespace kiln::conv {
namespace {

inline int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

// out[i] = src[i * stride] for i in [0, n); every element read lies in [src, src + (n-1)*stride].
void copyStrided(const float* src, int64_t stride, int64_t n, float* out) {
  if (stride == 1) {
    std::memcpy(out, src, static_cast<size_t>(n) * sizeof(float));
    return;
  }
  int64_t i = 0;
  if (stride == 2) {
    // Each step reads src[2i .. 2i+7]; the last element it may read is src[2(n-1)].
    for (; 2 * i + 7 <= 2 * (n - 1); i += 4) {
      const __m128 lo = _mm_loadu_ps(src + 2 * i), hi = _mm_loadu_ps(src + 2 * i + 4);
      _mm_storeu_ps(out + i, _mm_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0)));
    }
  }
  for (; i < n; ++i) out[i] = src[i * stride];
}

// One im2col row: the tap (c, ky, kx) for output pixels [n0, n0 + n).
void gatherRow(const ConvGeometry& g, const InputView& in, const float* plane, int64_t ky, int64_t kx, int64_t n0,
               int64_t n, float* out) {
  int64_t oy = n0 / in.outW, ox = n0 % in.outW;
  const int64_t sw = g.strideW;
  for (int64_t q = 0; q < n; ox = 0, ++oy) {
    const int64_t len = std::min(in.outW - ox, n - q);
    float* d = out + q;
    q += len;
    const int64_t iy = oy * g.strideH - g.padTop + ky * g.dilationH;
    if (iy < 0 || iy >= in.h) {
      std::fill(d, d + len, 0.f);
      continue;
    }
    // Input column of output i is ix0 + i * sw; it is inside the row for i in [lo, hi).
    const int64_t ix0 = ox * sw - g.padLeft + kx * g.dilationW;
    const int64_t lo = std::min(len, ix0 >= 0 ? 0 : ceilDiv(-ix0, sw));
    const int64_t hi = std::max(lo, std::min(len, in.w - ix0 <= 0 ? 0 : ceilDiv(in.w - ix0, sw)));
    std::fill(d, d + lo, 0.f);
    if (hi > lo) copyStrided(plane + iy * in.w + ix0 + lo * sw, sw, hi - lo, d + lo);
    std::fill(d + hi, d + len, 0.f);
  }
}

}  // namespace

void packPointwise(const InputView& in, int64_t k0, int64_t kc, int64_t n0, int64_t n, int nr, float* dst) {
  const int64_t plane = in.h * in.w;
  for (int64_t k = 0; k < kc; ++k) gemm::packBRow(in.x + (k0 + k) * plane + n0, n, nr, kc, dst + k * nr);
}

void packIm2col(const ConvGeometry& g, const InputView& in, int64_t k0, int64_t kc, int64_t n0, int64_t n, int nr,
                float* row, float* dst) {
  const int64_t taps = g.kh * g.kw;
  const int64_t plane = in.h * in.w;
  int64_t c = k0 / taps, ky = k0 % taps / g.kw, kx = k0 % g.kw;
  for (int64_t k = 0; k < kc; ++k) {
    gatherRow(g, in, in.x + c * plane, ky, kx, n0, n, row);
    gemm::packBRow(row, n, nr, kc, dst + k * nr);
    if (++kx == g.kw) {
      kx = 0;
      if (++ky == g.kh) {
        ky = 0;
        ++c;
      }
    }
  }
}

}  // namespace kiln::conv
