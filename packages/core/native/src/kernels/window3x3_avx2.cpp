// 3x3 windows at stride 1 or 2 with AVX2 — the depthwise convolution and max pooling: 8 output
// columns at a time straight from the input rows, the padding read as the window's neutral value
// (zero, or -inf for the max) by masked loads, so no copy of the plane is made however small it
// is. No standard-library templates here (see gemm_microkernel_avx512.cpp).
#include <immintrin.h>

#include "kernels/window3x3.h"

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
// the padding value and are never touched).
struct Columns {
  __m256i mask;
  bool whole;
};
inline Columns columns(int64_t start, int64_t w) { return {columnMask(start, w), start >= 0 && start + 8 <= w}; }
inline __m256 load(const float* p, const Columns& c, __m256 pad) {
  if (c.whole) return _mm256_loadu_ps(p);
  return _mm256_blendv_ps(pad, _mm256_maskload_ps(p, c.mask), _mm256_castsi256_ps(c.mask));
}

// acc + w·x for the depthwise convolution; max(acc, x) for pooling.
struct MultiplyAdd {
  __m256 combine(__m256 acc, __m256 weight, __m256 x) const { return _mm256_fmadd_ps(weight, x, acc); }
};
struct Maximum {
  __m256 combine(__m256 acc, __m256, __m256 x) const { return _mm256_max_ps(acc, x); }
};

// The three taps of one window row for 8 outputs, from `row` on (the first tap's column).
struct Stride1Columns {
  Columns c0, c1, c2;
};
template <typename Op>
inline __m256 rowStride1(const Op& op, const float* row, const Stride1Columns& c, __m256 pad, const __m256* w, __m256 acc) {
  acc = op.combine(acc, w[0], load(row, c.c0, pad));
  acc = op.combine(acc, w[1], load(row + 1, c.c1, pad));
  return op.combine(acc, w[2], load(row + 2, c.c2, pad));
}

struct Stride2Columns {
  Columns a, b, a2, b2;
};
template <typename Op>
inline __m256 rowStride2(const Op& op, const float* row, const Stride2Columns& c, __m256 pad, const __m256* w, __m256 acc) {
  const __m256 a = load(row, c.a, pad), b = load(row + 8, c.b, pad);
  const __m256 a2 = load(row + 2, c.a2, pad), b2 = load(row + 10, c.b2, pad);
  acc = op.combine(acc, w[0], evens(a, b));
  acc = op.combine(acc, w[1], odds(a, b));
  return op.combine(acc, w[2], evens(a2, b2));
}

// What every plane of a run shares: the window rows that lie inside the input, the clamp.
struct RunSetup {
  __m256 padding, lo, hi;
  int64_t inY0, inY1;  // the output rows whose three input rows all lie inside the input
};

// One plane row by row, 8 output columns at a time, in chunks of up to 128 column blocks whose
// masks are computed once (for a plane up to 8 outputs wide: once per run, passed in as `narrow`).
// A wide map is walked along its rows, so each input row comes into cache once per chunk.
template <int S, typename Op>
void plane(const Op& op, const Window3x3Plane& p, const float* x, float* y, const __m256* wv, __m256 start0,
           const RunSetup& r, const Stride1Columns* narrow1, const Stride2Columns* narrow2) {
  constexpr int64_t kChunk = 128;
  Stride1Columns c1[kChunk];
  Stride2Columns c2[kChunk];
  for (int64_t ox0 = 0; ox0 < p.ow; ox0 += 8 * kChunk) {
    const int64_t blocks = (p.ow - ox0 + 7) / 8 < kChunk ? (p.ow - ox0 + 7) / 8 : kChunk;
    const Stride1Columns* cols1 = narrow1;
    const Stride2Columns* cols2 = narrow2;
    if (blocks > 1 || !narrow1) {
      for (int64_t j = 0; j < blocks; ++j) {
        const int64_t start = S * (ox0 + 8 * j) - p.padLeft;
        if (S == 1) c1[j] = Stride1Columns{columns(start, p.w), columns(start + 1, p.w), columns(start + 2, p.w)};
        else c2[j] = Stride2Columns{columns(start, p.w), columns(start + 8, p.w), columns(start + 2, p.w), columns(start + 10, p.w)};
      }
      cols1 = c1;
      cols2 = c2;
    }
    for (int64_t oy = 0; oy < p.oh; ++oy) {
      const int64_t iy0 = S * oy - p.padTop;
      const bool inside = oy >= r.inY0 && oy < r.inY1;
      const float* rows = x + iy0 * p.w + S * ox0 - p.padLeft;
      for (int64_t j = 0; j < blocks; ++j) {
        const float* row = rows + S * 8 * j;
        __m256 acc = start0;
        for (int ky = 0; ky < 3; ++ky) {
          if (!inside && (iy0 + ky < 0 || iy0 + ky >= p.h)) continue;
          acc = S == 1 ? rowStride1(op, row + ky * p.w, cols1[j], r.padding, wv + 3 * ky, acc)
                       : rowStride2(op, row + ky * p.w, cols2[j], r.padding, wv + 3 * ky, acc);
        }
        // max(acc, lo) first: a NaN becomes lo, as the other paths do.
        if (p.clamp) acc = _mm256_min_ps(_mm256_max_ps(acc, r.lo), r.hi);
        const int64_t ox = ox0 + 8 * j, n = p.ow - ox < 8 ? p.ow - ox : 8;
        float* out = y + oy * p.ow + ox;
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
}

// A run of planes (see window3x3.h); `init` starts each output where there is no bias, `pad` is
// what the padding reads as. Small maps pay their setup once per run, not per plane.
template <int S, typename Op>
void planes3x3(const Op& op, const Window3x3Plane& p, const Window3x3Run& run, float init, float pad) {
  RunSetup r{_mm256_set1_ps(pad), _mm256_set1_ps(p.lo), _mm256_set1_ps(p.hi), (p.padTop + S - 1) / S,
             p.h - 3 + p.padTop < 0 ? 0 : (p.h - 3 + p.padTop) / S + 1};
  if (r.inY1 > p.oh) r.inY1 = p.oh;
  const int64_t start = -p.padLeft;
  const Stride1Columns n1{columns(start, p.w), columns(start + 1, p.w), columns(start + 2, p.w)};
  const Stride2Columns n2{columns(start, p.w), columns(start + 8, p.w), columns(start + 2, p.w), columns(start + 10, p.w)};
  const bool narrow = p.ow <= 8;
  __m256 wv[9];
  for (int t = 0; t < 9; ++t) wv[t] = _mm256_setzero_ps();
  for (int64_t i = 0; i < run.planes; ++i) {
    const int64_t channel = (run.channel0 + i) % run.channels;
    if (run.weights)
      for (int t = 0; t < 9; ++t) wv[t] = _mm256_set1_ps(run.weights[9 * channel + t]);
    const __m256 start0 = _mm256_set1_ps(run.bias ? run.bias[channel] : init);
    plane<S>(op, p, p.x + i * p.h * p.w, p.y + i * p.oh * p.ow, wv, start0, r, narrow ? &n1 : nullptr, narrow ? &n2 : nullptr);
  }
}

}  // namespace

void depthwisePlanes3x3Avx2(const Window3x3Plane& p, const Window3x3Run& run) {
  if (p.stride == 1)
    planes3x3<1>(MultiplyAdd{}, p, run, 0.f, 0.f);
  else
    planes3x3<2>(MultiplyAdd{}, p, run, 0.f, 0.f);
}

void maxPoolPlanes3x3Avx2(const Window3x3Plane& p, int64_t planes) {
  const float lowest = -__builtin_inff();
  const Window3x3Run run{planes, 0, 1, nullptr, nullptr};
  if (p.stride == 1)
    planes3x3<1>(Maximum{}, p, run, lowest, lowest);
  else
    planes3x3<2>(Maximum{}, p, run, lowest, lowest);
}

}  // namespace kiln::detail
