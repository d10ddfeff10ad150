// AVX512-VNNI u8 x s8 micro-kernel: 8 channels x 48 pixels, 24 zmm accumulators; per group of 4 k,
// 3 pixel vectors and 8 broadcast weights feed 24 vpdpbusd. Its epilogue is qgemm_epilogue_avx512.cpp.
#include <immintrin.h>

#include <cstring>

#include "kernels/qgemm_kernel.h"

namespace kiln::qgemm::detail {
namespace {
constexpr int MR = kMrAvx512Vnni, NR = kNrAvx512Vnni;
}  // namespace

void microAvx512Vnni(const int8_t* w, const uint8_t* x, int64_t kGroups, int32_t* acc) {
  __m512i c0[MR], c1[MR], c2[MR];
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r) c0[r] = c1[r] = c2[r] = _mm512_setzero_si512();
  for (int64_t q = 0; q < kGroups; ++q, w += MR * 4, x += NR * 4) {
    const __m512i x0 = _mm512_loadu_si512(x);
    const __m512i x1 = _mm512_loadu_si512(x + 64);
    const __m512i x2 = _mm512_loadu_si512(x + 128);
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) {
      int32_t w4;
      std::memcpy(&w4, w + r * 4, 4);
      const __m512i wr = _mm512_set1_epi32(w4);
      c0[r] = _mm512_dpbusd_epi32(c0[r], x0, wr);
      c1[r] = _mm512_dpbusd_epi32(c1[r], x1, wr);
      c2[r] = _mm512_dpbusd_epi32(c2[r], x2, wr);
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r) {
    _mm512_storeu_si512(acc + r * NR, c0[r]);
    _mm512_storeu_si512(acc + r * NR + 16, c1[r]);
    _mm512_storeu_si512(acc + r * NR + 32, c2[r]);
  }
}

}  // namespace kiln::qgemm::detail
