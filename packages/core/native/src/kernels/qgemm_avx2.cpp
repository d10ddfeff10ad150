// AVX2 u8 x s8 micro-kernel (4 channels x 16 pixels, 8 ymm accumulators) and the 16-pixel vector
// epilogue it shares with the AVX-VNNI kernel. vpmaddubsw adds two u8 x s8 products into a
// saturating int16, which full-range u8 x s8 pairs overflow (255*127*2). So the activations are
// shifted to s8 (x - 128, the kernel's activationOffset) and each product x'w is formed as |x'| * sign(w, x'):
// at most 128*127*2 = 32512 per pair, never saturating, with 8-bit weights. vpmaddwd by ones widens
// the pairs into int32; the shift is undone by the per-channel compensation. No standard-library templates here: an inline
// instance compiled with AVX2 could be the one the linker keeps for the baseline code too.
#include <immintrin.h>

#include <cstring>

#include "kernels/activation_avx2.h"
#include "kernels/qgemm_kernel.h"

namespace kiln::qgemm::detail {
namespace {

constexpr int MR = kMrAvx2, NR = kNrAvx2;
static_assert(kNrAvxVnni == NR, "the AVX-VNNI kernel shares this epilogue");

inline __m256i broadcast4(const int8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return _mm256_set1_epi32(v);
}

// 8 u8 at p (n of them valid, the rest read as 0) widened to int32.
inline __m256i loadU8x8(const uint8_t* p, int n) {
  if (n >= 8) return _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
  uint8_t tmp[8] = {};
  for (int i = 0; i < n; ++i) tmp[i] = p[i];
  return _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(tmp)));
}

}  // namespace

void microAvx2(const int8_t* w, const uint8_t* x, int64_t kGroups, int32_t* acc) {
  const __m256i ones = _mm256_set1_epi16(1), flip = _mm256_set1_epi8(static_cast<char>(0x80));
  __m256i c0[MR], c1[MR];
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r) c0[r] = c1[r] = _mm256_setzero_si256();
  for (int64_t q = 0; q < kGroups; ++q, w += MR * 4, x += NR * 4) {
    const __m256i x0 = _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(x)), flip);
    const __m256i x1 = _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + 32)), flip);
    const __m256i a0 = _mm256_abs_epi8(x0), a1 = _mm256_abs_epi8(x1);
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) {
      const __m256i wr = broadcast4(w + r * 4);
      c0[r] = _mm256_add_epi32(c0[r], _mm256_madd_epi16(_mm256_maddubs_epi16(a0, _mm256_sign_epi8(wr, x0)), ones));
      c1[r] = _mm256_add_epi32(c1[r], _mm256_madd_epi16(_mm256_maddubs_epi16(a1, _mm256_sign_epi8(wr, x1)), ones));
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(acc + r * NR), c0[r]);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(acc + r * NR + 8), c1[r]);
  }
}

// The scalar epilogue's operations in the same order, 8 lanes at a time; activations through the
// shared AVX2 functions, u8 rounding by the current (nearest-even) mode.
void epilogueAvx2(const QEpilogue& e, const QTile& t) {
  const int n = t.n;
  if (e.output == QEpilogue::Output::Int32) {
    for (int r = 0; r < t.m; ++r) {
      int32_t* y = static_cast<int32_t*>(t.y) + r * t.ldy;
      const __m256i comp = _mm256_set1_epi32(e.compensation[t.channel + r]);
      for (int p = 0; p < NR; p += 8) {
        const __m256i v = _mm256_add_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(t.acc + r * NR + p)), comp);
        if (n - p >= 8) {
          _mm256_storeu_si256(reinterpret_cast<__m256i*>(y + p), v);
        } else if (n > p) {
          int32_t tmp[8];
          _mm256_storeu_si256(reinterpret_cast<__m256i*>(tmp), v);
          std::memcpy(y + p, tmp, sizeof(int32_t) * (n - p));
        }
      }
    }
    return;
  }
  alignas(32) float v[kMaxMr * NR];
  for (int r = 0; r < t.m; ++r) {
    const int64_t ch = t.channel + r;
    const __m256i comp = _mm256_set1_epi32(e.compensation[ch]);
    const __m256 scale = _mm256_set1_ps(e.scale[ch]), bias = _mm256_set1_ps(e.bias[ch]);
    for (int p = 0; p < NR; p += 8) {
      const __m256i a = _mm256_add_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(t.acc + r * NR + p)), comp);
      _mm256_store_ps(v + r * NR + p, _mm256_add_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(a), scale), bias));
    }
  }
  avx2::Act(e.act).applyVectors(v, t.m * NR / 8);
  const __m256 rScale = _mm256_set1_ps(e.rScale), inv = _mm256_set1_ps(e.yInvScale);
  const __m256 yZero = _mm256_set1_ps(e.yZeroPoint), u8Max = _mm256_set1_ps(255.f);
  const __m256i rZero = _mm256_set1_epi32(e.rZeroPoint);
  for (int r = 0; r < t.m; ++r) {
    __m256 f[NR / 8];
    for (int j = 0; j < NR / 8; ++j) {
      f[j] = _mm256_load_ps(v + r * NR + j * 8);
      if (e.residual) {
        const __m256i rq = _mm256_sub_epi32(loadU8x8(t.residual + r * t.ldy + j * 8, n - j * 8), rZero);
        f[j] = _mm256_add_ps(f[j], _mm256_mul_ps(_mm256_cvtepi32_ps(rq), rScale));
      }
    }
    if (e.output == QEpilogue::Output::Float) {
      float* y = static_cast<float*>(t.y) + r * t.ldy;
      if (n >= NR) {
        for (int j = 0; j < NR / 8; ++j) _mm256_storeu_ps(y + j * 8, f[j]);
      } else {
        float tmp[NR];
        for (int j = 0; j < NR / 8; ++j) _mm256_storeu_ps(tmp + j * 8, f[j]);
        std::memcpy(y, tmp, sizeof(float) * n);
      }
      continue;
    }
    __m256i q[NR / 8];
    for (int j = 0; j < NR / 8; ++j) {
      const __m256 s = _mm256_add_ps(_mm256_mul_ps(f[j], inv), yZero);
      q[j] = _mm256_cvtps_epi32(_mm256_min_ps(_mm256_max_ps(s, _mm256_setzero_ps()), u8Max));
    }
    // int32 -> int16 -> u8; packs work within 128-bit lanes, the permute restores pixel order.
    const __m256i words = _mm256_permute4x64_epi64(_mm256_packs_epi32(q[0], q[1]), 0xd8);
    const __m128i bytes = _mm_packus_epi16(_mm256_castsi256_si128(words), _mm256_extracti128_si256(words, 1));
    uint8_t* y = static_cast<uint8_t*>(t.y) + r * t.ldy;
    if (n >= NR) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(y), bytes);
    } else {
      uint8_t tmp[16];
      _mm_storeu_si128(reinterpret_cast<__m128i*>(tmp), bytes);
      std::memcpy(y, tmp, n);
    }
  }
}

}  // namespace kiln::qgemm::detail
