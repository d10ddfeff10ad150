#include <immintrin.h>

#include "kernels/quantize.h"

namespace kiln::detail {

void quantizeToU8Avx2(const float* x, int64_t count, QuantParams q, uint8_t* y) {
  const __m256 inverse = _mm256_set1_ps(1.f / q.scale), zero = _mm256_set1_ps(static_cast<float>(q.zeroPoint));
  const __m256 lo = _mm256_setzero_ps(), hi = _mm256_set1_ps(255.f);
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  auto convert = [&](const float* p) {
    const __m256 r = _mm256_round_ps(_mm256_mul_ps(_mm256_loadu_ps(p), inverse), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    return _mm256_cvtps_epi32(_mm256_min_ps(_mm256_max_ps(_mm256_add_ps(r, zero), lo), hi));
  };
  int64_t i = 0;
  for (; i + 32 <= count; i += 32) {
    const __m256i ab = _mm256_packus_epi32(convert(x + i), convert(x + i + 8));
    const __m256i cd = _mm256_packus_epi32(convert(x + i + 16), convert(x + i + 24));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(y + i), _mm256_permutevar8x32_epi32(_mm256_packus_epi16(ab, cd), order));
  }
  if (i < count) quantizeToU8Scalar(x + i, count - i, q, y + i);
}

void dequantizeU8Avx2(const uint8_t* q, int64_t count, QuantParams p, float* x) {
  const __m256i zero = _mm256_set1_epi32(p.zeroPoint);
  const __m256 scale = _mm256_set1_ps(p.scale);
  int64_t i = 0;
  for (; i + 8 <= count; i += 8) {
    const __m256i v = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(q + i)));
    _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(v, zero)), scale));
  }
  if (i < count) dequantizeU8Scalar(q + i, count - i, p, x + i);
}

}  // namespace kiln::detail
