#pragma once
// Vector epilogue activations for AVX-512. Include only from *_avx512.cpp files.
//
// Each function works on N vectors step by step, so that N independent dependency chains are
// interleaved: sigmoid is ~25 dependent operations, and one chain at a time leaves the out-of-order
// window too small to hide their latency.
#include <immintrin.h>

#include "kernels/activation.h"

namespace kiln::avx512 {

#define KILN_EACH(i, N) _Pragma("GCC unroll 16") for (int i = 0; i < N; ++i)

// exp(x) = 2^n * e^r with n = round(x / ln 2), r = x - n ln 2 (ln 2 split in two so r is exact to
// ~1e-10), e^r by a degree-5 polynomial fitted for minimal relative error on |r| <= ln2/2 (under 1e-7).
// x is clamped to [ln(2^-126), ln(FLT_MAX)] so 2^n never leaves the normal range; NaN propagates.
// Adding 1.5 * 2^23 + 127 rounds x / ln 2 to an integer and leaves n + 127 in the low mantissa bits,
// from where a shift moves it into the exponent field.
template <int N>
static inline void expPs(__m512* x) {
  const __m512 magic = _mm512_set1_ps(12583039.f);
  __m512 t[N], r[N], p[N];
  KILN_EACH(i, N) x[i] = _mm512_max_ps(_mm512_set1_ps(-87.33654f), x[i]);
  KILN_EACH(i, N) x[i] = _mm512_min_ps(_mm512_set1_ps(88.37626f), x[i]);
  KILN_EACH(i, N) t[i] = _mm512_fmadd_ps(x[i], _mm512_set1_ps(1.44269504f), magic);
  KILN_EACH(i, N) p[i] = _mm512_sub_ps(t[i], magic);
  KILN_EACH(i, N) r[i] = _mm512_fnmadd_ps(p[i], _mm512_set1_ps(0.693359375f), x[i]);
  KILN_EACH(i, N) r[i] = _mm512_fnmadd_ps(p[i], _mm512_set1_ps(-2.12194440e-4f), r[i]);
  KILN_EACH(i, N) p[i] = _mm512_fmadd_ps(_mm512_set1_ps(0.008290315f), r[i], _mm512_set1_ps(0.04189793f));
  KILN_EACH(i, N) p[i] = _mm512_fmadd_ps(p[i], r[i], _mm512_set1_ps(0.16667636f));
  KILN_EACH(i, N) p[i] = _mm512_fmadd_ps(p[i], r[i], _mm512_set1_ps(0.49999151f));
  KILN_EACH(i, N) p[i] = _mm512_fmadd_ps(p[i], r[i], _mm512_set1_ps(0.99999970f));
  KILN_EACH(i, N) p[i] = _mm512_fmadd_ps(p[i], r[i], _mm512_set1_ps(1.f));
  KILN_EACH(i, N) {
    x[i] = _mm512_mul_ps(p[i], _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_castps_si512(t[i]), 23)));
  }
}

// s[i] = 1 / (1 + e^-x[i]). The reciprocal is the 14-bit estimate and one Newton step, which also
// makes sigmoid(large x) exactly 1.
template <int N>
static inline void sigmoidPs(const __m512* x, __m512* s) {
  const __m512 one = _mm512_set1_ps(1.f);
  __m512 d[N];
  KILN_EACH(i, N) d[i] = _mm512_sub_ps(_mm512_setzero_ps(), x[i]);
  expPs<N>(d);
  KILN_EACH(i, N) d[i] = _mm512_add_ps(one, d[i]);
  KILN_EACH(i, N) s[i] = _mm512_rcp14_ps(d[i]);
  KILN_EACH(i, N) s[i] = _mm512_fmadd_ps(s[i], _mm512_fnmadd_ps(d[i], s[i], one), s[i]);
}

static inline __m512 clamp01(__m512 v) {
  return _mm512_min_ps(_mm512_max_ps(v, _mm512_setzero_ps()), _mm512_set1_ps(1.f));
}

// The activation part of an epilogue, with its parameters already broadcast.
struct Act {
  Activation act;
  __m512 alpha, beta;
  explicit Act(const Epilogue& e) : act(e.act), alpha(_mm512_set1_ps(e.alpha)), beta(_mm512_set1_ps(e.beta)) {}

  // v[i] = A(v[i]) for i < N.
  template <Activation A, int N>
  inline void apply(__m512* v) const {
    if constexpr (A == Activation::Relu) {
      KILN_EACH(i, N) v[i] = _mm512_max_ps(v[i], _mm512_setzero_ps());
    } else if constexpr (A == Activation::Sigmoid) {
      sigmoidPs<N>(v, v);
    } else if constexpr (A == Activation::Silu) {
      // Below the exp clamp sigmoid stops shrinking, so x * sigmoid(x) would not vanish as
      // x e^x (< 1e-35 there) does: flush to 0.
      __m512 s[N];
      sigmoidPs<N>(v, s);
      KILN_EACH(i, N) {
        const __mmask16 keep = _mm512_cmp_ps_mask(v[i], _mm512_set1_ps(-87.f), _CMP_NLT_UQ);
        v[i] = _mm512_maskz_mul_ps(keep, v[i], s[i]);
      }
    } else if constexpr (A == Activation::LeakyRelu) {
      KILN_EACH(i, N) {
        const __mmask16 ge = _mm512_cmp_ps_mask(v[i], _mm512_setzero_ps(), _CMP_GE_OQ);
        v[i] = _mm512_mask_blend_ps(ge, _mm512_mul_ps(v[i], alpha), v[i]);
      }
    } else if constexpr (A == Activation::Clip) {
      KILN_EACH(i, N) v[i] = _mm512_min_ps(_mm512_max_ps(v[i], alpha), beta);
    } else if constexpr (A == Activation::HardSwish) {
      KILN_EACH(i, N) {
        const __m512 h = _mm512_fmadd_ps(v[i], _mm512_set1_ps(1.f / 6.f), _mm512_set1_ps(0.5f));
        v[i] = _mm512_mul_ps(v[i], clamp01(h));
      }
    } else if constexpr (A == Activation::HardSigmoid) {
      KILN_EACH(i, N) v[i] = clamp01(_mm512_fmadd_ps(v[i], alpha, beta));
    }
  }

  // Four vectors at a time: enough independent chains to hide sigmoid's latency.
  template <Activation A>
  void applyLoop(float* p, int64_t count) const {
    int64_t i = 0;
    for (; i + 4 <= count; i += 4) {
      __m512 v[4];
      KILN_EACH(j, 4) v[j] = _mm512_loadu_ps(p + (i + j) * 16);
      apply<A, 4>(v);
      KILN_EACH(j, 4) _mm512_storeu_ps(p + (i + j) * 16, v[j]);
    }
    for (; i < count; ++i) {
      __m512 v = _mm512_loadu_ps(p + i * 16);
      apply<A, 1>(&v);
      _mm512_storeu_ps(p + i * 16, v);
    }
  }

  // The activation in place on `count` vectors at p. Out of line: inlined into every micro-kernel
  // shape, its code would crowd the instruction cache.
  __attribute__((noinline)) void applyVectors(float* p, int64_t count) const {
    switch (act) {
      case Activation::None: return;
      case Activation::Relu: return applyLoop<Activation::Relu>(p, count);
      case Activation::Sigmoid: return applyLoop<Activation::Sigmoid>(p, count);
      case Activation::Silu: return applyLoop<Activation::Silu>(p, count);
      case Activation::LeakyRelu: return applyLoop<Activation::LeakyRelu>(p, count);
      case Activation::Clip: return applyLoop<Activation::Clip>(p, count);
      case Activation::HardSwish: return applyLoop<Activation::HardSwish>(p, count);
      case Activation::HardSigmoid: return applyLoop<Activation::HardSigmoid>(p, count);
    }
  }
};

#undef KILN_EACH

}  // namespace kiln::avx512
