// The AVX-512 epilogue of the 48-pixel INT8 tiles: the scalar epilogue's operations in the same
// order, 16 lanes at a time, tails by masks; activations through the shared AVX-512 functions, u8
// rounding by the current (nearest-even) mode.
#include <immintrin.h>

#include "kernels/activation_avx512.h"
#include "kernels/qgemm_kernel.h"

namespace kiln::qgemm::detail {
namespace {

constexpr int NR = kNrAvx512Vnni;
constexpr int kVecs = NR / 16;

inline __mmask16 laneMask(int n) {
  return n >= 16 ? static_cast<__mmask16>(0xffff) : n <= 0 ? static_cast<__mmask16>(0)
                                                             : static_cast<__mmask16>((1u << n) - 1);
}

}  // namespace

void epilogueAvx512(const QEpilogue& e, const QTile& t) {
  __mmask16 mask[kVecs];
  for (int j = 0; j < kVecs; ++j) mask[j] = laneMask(t.n - j * 16);
  if (e.output == QEpilogue::Output::Int32) {
    for (int r = 0; r < t.m; ++r) {
      int32_t* y = static_cast<int32_t*>(t.y) + r * t.ldy;
      const __m512i comp = _mm512_set1_epi32(e.compensation[t.channel + r]);
      for (int j = 0; j < kVecs; ++j)
        _mm512_mask_storeu_epi32(y + j * 16, mask[j], _mm512_add_epi32(_mm512_loadu_si512(t.acc + r * NR + j * 16), comp));
    }
    return;
  }
  alignas(64) float v[kMaxMr * NR];
  for (int r = 0; r < t.m; ++r) {
    const int64_t ch = t.channel + r;
    const __m512i comp = _mm512_set1_epi32(e.compensation[ch]);
    const __m512 scale = _mm512_set1_ps(e.scale[ch]), bias = _mm512_set1_ps(e.bias[ch]);
    for (int j = 0; j < kVecs; ++j) {
      const __m512i a = _mm512_add_epi32(_mm512_loadu_si512(t.acc + r * NR + j * 16), comp);
      _mm512_store_ps(v + r * NR + j * 16, _mm512_add_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(a), scale), bias));
    }
  }
  avx512::Act(e.act).applyVectors(v, t.m * kVecs);
  const __m512 rScale = _mm512_set1_ps(e.rScale), inv = _mm512_set1_ps(e.yInvScale);
  const __m512 yZero = _mm512_set1_ps(e.yZeroPoint), u8Max = _mm512_set1_ps(255.f);
  const __m512i rZero = _mm512_set1_epi32(e.rZeroPoint);
  for (int r = 0; r < t.m; ++r) {
    for (int j = 0; j < kVecs; ++j) {
      if (!mask[j]) break;
      __m512 f = _mm512_load_ps(v + r * NR + j * 16);
      if (e.residual) {
        const __m128i rb = _mm_maskz_loadu_epi8(mask[j], t.residual + r * t.ldy + j * 16);
        const __m512i rq = _mm512_sub_epi32(_mm512_cvtepu8_epi32(rb), rZero);
        f = _mm512_add_ps(f, _mm512_mul_ps(_mm512_cvtepi32_ps(rq), rScale));
      }
      if (e.output == QEpilogue::Output::Float) {
        _mm512_mask_storeu_ps(static_cast<float*>(t.y) + r * t.ldy + j * 16, mask[j], f);
      } else {
        const __m512 s = _mm512_add_ps(_mm512_mul_ps(f, inv), yZero);
        const __m512i q = _mm512_cvtps_epi32(_mm512_min_ps(_mm512_max_ps(s, _mm512_setzero_ps()), u8Max));
        _mm512_mask_cvtepi32_storeu_epi8(static_cast<uint8_t*>(t.y) + r * t.ldy + j * 16, mask[j], q);
      }
    }
  }
}

}  // namespace kiln::qgemm::detail
