// 3x3 windows at stride 1 or 2 with AVX-512 — the depthwise convolution and max pooling: 16 output
// columns at a time straight from the input rows, the padding read as the window's neutral value
// (zero, or -inf for the max) by masked loads, so no copy of the plane is made however small it
// is. No standard-library templates here (see gemm_microkernel_avx512.cpp).
#include <immintrin.h>

#include "kernels/window3x3.h"

namespace kiln::detail {
namespace {

// Lanes j with 0 <= start + j < w.
inline __mmask16 columnMask(int64_t start, int64_t w) {
  const int64_t lo = start < 0 ? -start : 0;
  const int64_t hi = w - start < 16 ? w - start : 16;
  if (lo >= hi) return 0;
  return static_cast<__mmask16>(((1u << hi) - 1) & ~((1u << lo) - 1));
}

// acc + w·x for the depthwise convolution; max(acc, x) for pooling.
struct MultiplyAdd {
  __m512 combine(__m512 acc, __m512 weight, __m512 x) const { return _mm512_fmadd_ps(weight, x, acc); }
};
struct Maximum {
  __m512 combine(__m512 acc, __m512, __m512 x) const { return _mm512_max_ps(acc, x); }
};

// The three taps of one window row for 16 outputs, from `row` on (the first tap's column), the
// columns outside the input masked off: those lanes read as `pad` and are never touched.
struct Stride1Masks {
  __mmask16 m0, m1, m2;
};
template <typename Op>
inline __m512 rowStride1(const Op& op, const float* row, const Stride1Masks& m, __m512 pad, const __m512* w, __m512 acc) {
  acc = op.combine(acc, w[0], _mm512_mask_loadu_ps(pad, m.m0, row));
  acc = op.combine(acc, w[1], _mm512_mask_loadu_ps(pad, m.m1, row + 1));
  return op.combine(acc, w[2], _mm512_mask_loadu_ps(pad, m.m2, row + 2));
}

struct Stride2Masks {
  __mmask16 a, b, next;
};
template <typename Op>
inline __m512 rowStride2(const Op& op, const float* row, const Stride2Masks& m, __m512 pad, const __m512* w, __m512 acc) {
  const __m512i evenIdx = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i oddIdx = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
  const __m512 a = _mm512_mask_loadu_ps(pad, m.a, row), b = _mm512_mask_loadu_ps(pad, m.b, row + 16);
  const __m512 next = _mm512_mask_loadu_ps(pad, m.next, row + 32);
  const __m512 evens = _mm512_permutex2var_ps(a, evenIdx, b);  // columns 2j
  const __m512 odds = _mm512_permutex2var_ps(a, oddIdx, b);    // 2j + 1
  // 2j + 2: the evens moved down one lane, column 32 last.
  const __m512 shifted = _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(next), _mm512_castps_si512(evens), 1));
  acc = op.combine(acc, w[0], evens);
  acc = op.combine(acc, w[1], odds);
  return op.combine(acc, w[2], shifted);
}

// What every plane of a run shares: the window rows that lie inside the input, the clamp.
struct RunSetup {
  __m512 padding, lo, hi;
  int64_t inY0, inY1;  // the output rows whose three input rows all lie inside the input
};

// One plane up to 16 outputs wide: one column block, its masks computed once for the run.
template <int S, typename Op>
void narrowPlane(const Op& op, const Window3x3Plane& p, const float* x, float* y, const __m512* wv, __m512 start0,
                 const RunSetup& r, const Stride1Masks& m1, const Stride2Masks& m2, __mmask16 store) {
  const int64_t start = -p.padLeft;
  for (int64_t oy = 0; oy < p.oh; ++oy) {
    const int64_t iy0 = S * oy - p.padTop;
    const float* row = x + iy0 * p.w + start;
    __m512 acc = start0;
    const bool inside = oy >= r.inY0 && oy < r.inY1;
    for (int ky = 0; ky < 3; ++ky) {
      if (!inside && (iy0 + ky < 0 || iy0 + ky >= p.h)) continue;
      acc = S == 1 ? rowStride1(op, row + ky * p.w, m1, r.padding, wv + 3 * ky, acc)
                   : rowStride2(op, row + ky * p.w, m2, r.padding, wv + 3 * ky, acc);
    }
    // max(acc, lo) first: a NaN becomes lo, as the other paths do.
    if (p.clamp) acc = _mm512_min_ps(_mm512_max_ps(acc, r.lo), r.hi);
    _mm512_mask_storeu_ps(y + oy * p.ow, store, acc);
  }
}

// One wider plane row by row, 16 output columns at a time, in chunks of up to 64 column blocks
// whose masks are computed once per plane (the map is walked along its rows, so each input row
// comes into cache once per chunk).
template <int S, typename Op>
void widePlane(const Op& op, const Window3x3Plane& p, const float* x, float* y, const __m512* wv, __m512 start0,
               const RunSetup& r) {
  constexpr int64_t kChunk = 64;
  Stride1Masks m1[kChunk];
  Stride2Masks m2[kChunk];
  __mmask16 store[kChunk];
  for (int64_t ox0 = 0; ox0 < p.ow; ox0 += 16 * kChunk) {
    const int64_t blocks = (p.ow - ox0 + 15) / 16 < kChunk ? (p.ow - ox0 + 15) / 16 : kChunk;
    for (int64_t j = 0; j < blocks; ++j) {
      const int64_t ox = ox0 + 16 * j, start = S * ox - p.padLeft;
      m1[j] = Stride1Masks{columnMask(start, p.w), columnMask(start + 1, p.w), columnMask(start + 2, p.w)};
      m2[j] = Stride2Masks{columnMask(start, p.w), columnMask(start + 16, p.w), static_cast<__mmask16>(columnMask(start + 32, p.w) & 1)};
      store[j] = columnMask(0, p.ow - ox);
    }
    for (int64_t oy = 0; oy < p.oh; ++oy) {
      const int64_t iy0 = S * oy - p.padTop;
      const bool inside = oy >= r.inY0 && oy < r.inY1;
      const float* rows = x + iy0 * p.w + S * ox0 - p.padLeft;
      float* out = y + oy * p.ow + ox0;
      for (int64_t j = 0; j < blocks; ++j) {
        const float* row = rows + S * 16 * j;
        __m512 acc = start0;
        for (int ky = 0; ky < 3; ++ky) {
          if (!inside && (iy0 + ky < 0 || iy0 + ky >= p.h)) continue;
          acc = S == 1 ? rowStride1(op, row + ky * p.w, m1[j], r.padding, wv + 3 * ky, acc)
                       : rowStride2(op, row + ky * p.w, m2[j], r.padding, wv + 3 * ky, acc);
        }
        if (p.clamp) acc = _mm512_min_ps(_mm512_max_ps(acc, r.lo), r.hi);
        _mm512_mask_storeu_ps(out + 16 * j, store[j], acc);
      }
    }
  }
}

// A run of planes (see window3x3.h); `init` starts each output (the bias, or -inf), `pad` is what
// the padding reads as. Small maps pay their setup once per run, not per plane.
template <int S, typename Op>
void planes3x3(const Op& op, const Window3x3Plane& p, const Window3x3Run& run, float init, float pad) {
  RunSetup r{_mm512_set1_ps(pad), _mm512_set1_ps(p.lo), _mm512_set1_ps(p.hi), (p.padTop + S - 1) / S,
             p.h - 3 + p.padTop < 0 ? 0 : (p.h - 3 + p.padTop) / S + 1};
  if (r.inY1 > p.oh) r.inY1 = p.oh;
  const int64_t start = -p.padLeft;
  const Stride1Masks m1{columnMask(start, p.w), columnMask(start + 1, p.w), columnMask(start + 2, p.w)};
  const Stride2Masks m2{columnMask(start, p.w), columnMask(start + 16, p.w), static_cast<__mmask16>(columnMask(start + 32, p.w) & 1)};
  const __mmask16 store = columnMask(0, p.ow);
  __m512 wv[9];
  for (int t = 0; t < 9; ++t) wv[t] = _mm512_setzero_ps();
  for (int64_t i = 0; i < run.planes; ++i) {
    const int64_t channel = (run.channel0 + i) % run.channels;
    if (run.weights)
      for (int t = 0; t < 9; ++t) wv[t] = _mm512_set1_ps(run.weights[9 * channel + t]);
    const __m512 start0 = _mm512_set1_ps(run.bias ? run.bias[channel] : init);
    const float* x = p.x + i * p.h * p.w;
    float* y = p.y + i * p.oh * p.ow;
    if (p.ow <= 16)
      narrowPlane<S>(op, p, x, y, wv, start0, r, m1, m2, store);
    else
      widePlane<S>(op, p, x, y, wv, start0, r);
  }
}

}  // namespace

void depthwisePlanes3x3Avx512(const Window3x3Plane& p, const Window3x3Run& run) {
  if (p.stride == 1)
    planes3x3<1>(MultiplyAdd{}, p, run, 0.f, 0.f);
  else
    planes3x3<2>(MultiplyAdd{}, p, run, 0.f, 0.f);
}

void maxPoolPlanes3x3Avx512(const Window3x3Plane& p, int64_t planes) {
  const float lowest = -__builtin_inff();
  const Window3x3Run run{planes, 0, 1, nullptr, nullptr};
  if (p.stride == 1)
    planes3x3<1>(Maximum{}, p, run, lowest, lowest);
  else
    planes3x3<2>(Maximum{}, p, run, lowest, lowest);
}

}  // namespace kiln::detail
