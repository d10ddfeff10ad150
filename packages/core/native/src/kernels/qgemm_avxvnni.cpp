// AVX-VNNI u8 x s8 micro-kernel: 4 channels x 16 pixels, 8 ymm accumulators, one VEX vpdpbusd per
// 8 pixels x 4 k. Its epilogue is AVX2's (qgemm_avx2.cpp).
#include <immintrin.h>

#include <cstring>

#include "kernels/qgemm_kernel.h"

namespace kiln::qgemm::detail {
namespace {
constexpr int MR = kMrAvxVnni, NR = kNrAvxVnni;
}  // namespace

void microAvxVnni(const int8_t* w, const uint8_t* x, int64_t kGroups, int32_t* acc) {
  __m256i c0[MR], c1[MR];
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r) c0[r] = c1[r] = _mm256_setzero_si256();
  for (int64_t q = 0; q < kGroups; ++q, w += MR * 4, x += NR * 4) {
    const __m256i x0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x));
    const __m256i x1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + 32));
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) {
      int32_t w4;
      std::memcpy(&w4, w + r * 4, 4);
      const __m256i wr = _mm256_set1_epi32(w4);
      c0[r] = _mm256_dpbusd_avx_epi32(c0[r], x0, wr);
      c1[r] = _mm256_dpbusd_avx_epi32(c1[r], x1, wr);
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(acc + r * NR), c0[r]);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(acc + r * NR + 8), c1[r]);
  }
}

}  // namespace kiln::qgemm::detail
