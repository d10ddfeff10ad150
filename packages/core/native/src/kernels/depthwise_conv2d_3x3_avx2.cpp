// The 3x3 depthwise plane at stride 1 or 2 with AVX2: 8 output columns at a time straight from the
// input rows, the padding read as zero by masked loads, so no copy of the plane is made however
// small it is. No standard-library templates here (see gemm_microkernel_avx512.cpp).
#include <immintrin.h>

#include "kernels/depthwise_conv2d.h"

namespace kiln::detail {
namespace {

// All lanes set for j with 0 <= start + j < w.
inline __m256i columnMask(int64_t start, int64_t w) {
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const int lo = start < 0 ? static_cast<int>(-start) : 0;
  const int hi = w - start < 8 ? static_cast<int>(w - start) : 8;
  return _mm256_andnot_si256(_mm256_cmpgt_epi32(_mm256_set1_epi32(lo), lane), _mm256_cmpgt_epi32(_mm256_set1_epi32(hi), lane));
}

// The even-indexed columns of a followed by those of b.
inline __m256 evens(__m256 a, __m256 b) {
  const __m256 mixed = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));  // a0 a2 b0 b2 a4 a6 b4 b6
  return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(mixed), _MM_SHUFFLE(3, 1, 2, 0)));
}
inline __m256 odds(__m256 a, __m256 b) {
  const __m256 mixed = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1));
  return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(mixed), _MM_SHUFFLE(3, 1, 2, 0)));
}

// The columns a load reads: whole (a plain load) or masked (the lanes outside the input read as
// zero and are never touched).
struct Columns {
  __m256i mask;
  bool whole;
};
inline Columns columns(int64_t start, int64_t w) { return {columnMask(start, w), start >= 0 && start + 8 <= w}; }
inline __m256 load(const float* p, const Columns& c) { return c.whole ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, c.mask); }

// The three taps of one filter row for 8 outputs, from `row` on (the first tap's column).
struct Stride1Columns {
  Columns c0, c1, c2;
};
inline __m256 rowStride1(const float* row, const Stride1Columns& c, __m256 w0, __m256 w1, __m256 w2, __m256 acc) {
  acc = _mm256_fmadd_ps(w0, load(row, c.c0), acc);
  acc = _mm256_fmadd_ps(w1, load(row + 1, c.c1), acc);
  return _mm256_fmadd_ps(w2, load(row + 2, c.c2), acc);
}

struct Stride2Columns {
  Columns a, b, a2, b2;
};
inline __m256 rowStride2(const float* row, const Stride2Columns& c, __m256 w0, __m256 w1, __m256 w2, __m256 acc) {
  const __m256 a = load(row, c.a), b = load(row + 8, c.b);
  const __m256 a2 = load(row + 2, c.a2), b2 = load(row + 10, c.b2);
  acc = _mm256_fmadd_ps(w0, evens(a, b), acc);
  acc = _mm256_fmadd_ps(w1, odds(a, b), acc);
  return _mm256_fmadd_ps(w2, evens(a2, b2), acc);
}

// Column by column of 8 outputs, then row by row: the masks are the same for every row.
template <int S>
void plane3x3(const DepthwisePlane& p, const ConvGeometry& g) {
  __m256 wv[9];
  for (int t = 0; t < 9; ++t) wv[t] = _mm256_set1_ps(p.weights[t]);
  const __m256 bias = _mm256_set1_ps(p.bias), lo = _mm256_set1_ps(p.lo), hi = _mm256_set1_ps(p.hi);
  // The output rows whose three input rows all lie inside the input: [inY0, inY1).
  const int64_t inY0 = (g.padTop + S - 1) / S;
  int64_t inY1 = p.h - 3 + g.padTop < 0 ? 0 : (p.h - 3 + g.padTop) / S + 1;
  if (inY1 > p.oh) inY1 = p.oh;
  for (int64_t ox = 0; ox < p.ow; ox += 8) {
    const int64_t start = S * ox - g.padLeft;
    const Stride1Columns c1{columns(start, p.w), columns(start + 1, p.w), columns(start + 2, p.w)};
    const Stride2Columns c2{columns(start, p.w), columns(start + 8, p.w), columns(start + 2, p.w), columns(start + 10, p.w)};
    const int64_t n = p.ow - ox < 8 ? p.ow - ox : 8;
    for (int64_t oy = 0; oy < p.oh; ++oy) {
      const int64_t iy0 = S * oy - g.padTop;
      const float* row = p.x + iy0 * p.w + start;
      __m256 acc = bias;
      const bool inside = oy >= inY0 && oy < inY1;
      for (int ky = 0; ky < 3; ++ky) {
        if (!inside && (iy0 + ky < 0 || iy0 + ky >= p.h)) continue;
        const float* r = row + ky * p.w;
        acc = S == 1 ? rowStride1(r, c1, wv[3 * ky], wv[3 * ky + 1], wv[3 * ky + 2], acc)
                     : rowStride2(r, c2, wv[3 * ky], wv[3 * ky + 1], wv[3 * ky + 2], acc);
      }
      // max(acc, lo) first: a NaN becomes lo, as the other paths do.
      if (p.clamp) acc = _mm256_min_ps(_mm256_max_ps(acc, lo), hi);
      float* out = p.y + oy * p.ow + ox;
      if (n == 8) {
        _mm256_storeu_ps(out, acc);
      } else {
        // AMD's masked stores are slow: the tail goes through memory.
        alignas(32) float tail[8];
        _mm256_store_ps(tail, acc);
        for (int64_t i = 0; i < n; ++i) out[i] = tail[i];
      }
    }
  }
}

}  // namespace

void depthwisePlane3x3Avx2(const DepthwisePlane& p, const ConvGeometry& g) {
  if (g.strideH == 1)
    plane3x3<1>(p, g);
  else
    plane3x3<2>(p, g);
}

}  // namespace kiln::detail
