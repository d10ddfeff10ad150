#pragma once
// The steps of the AVX2 16-pixel epilogue (qgemm_kernel.h's QEpilogue on one MR x 16 tile), on
// accumulators and values in registers: shared by the standalone epilogue and the fused AVX2 tile.
// The scalar epilogue's operations in the same order, 8 lanes at a time, with two multiply-adds
// fused; u8 rounding by the current (nearest-even) mode. Include only from *_avx2.cpp and
// *_avxvnni.cpp files; everything here is static so that no instance compiled for one ISA is kept
// for another.
#include <immintrin.h>

#include <cstring>

#include "kernels/qgemm_kernel.h"

namespace kiln::qgemm::detail {

constexpr int kEpilogueRows = kMrAvx2, kEpilogueNr = kNrAvx2;
static_assert(kMrAvxVnni == kEpilogueRows && kNrAvxVnni == kEpilogueNr, "AVX-VNNI tiles share this epilogue");

// 8 u8 at p (n of them valid, the rest read as 0) widened to int32.
static inline __m256i loadU8x8(const uint8_t* p, int n) {
  if (n >= 8) return _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
  uint8_t tmp[8] = {};
  for (int i = 0; i < n; ++i) tmp[i] = p[i];
  return _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(tmp)));
}

// c[2r + j]: row r's pixels 8j..8j+7 (raw sums).
static inline void storeInt32Tile(const QEpilogue& e, const QTile& t, const __m256i* c) {
  for (int r = 0; r < t.m; ++r) {
    int32_t* y = static_cast<int32_t*>(t.y) + r * t.ldy;
    const __m256i comp = _mm256_set1_epi32(e.compensation[t.channel + r]);
    for (int j = 0; j < 2; ++j) {
      const __m256i v = _mm256_add_epi32(c[2 * r + j], comp);
      const int n = t.n - j * 8;
      if (n >= 8) {
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(y + j * 8), v);
      } else if (n > 0) {
        int32_t tmp[8];
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(tmp), v);
        std::memcpy(y + j * 8, tmp, sizeof(int32_t) * n);
      }
    }
  }
}

// v = float(c + compensation) * scale + bias (fused: one rounding, not the scalar epilogue's two),
// rows past t.m zero.
static inline void scaleTile(const QEpilogue& e, const QTile& t, const __m256i* c, __m256* v) {
#pragma GCC unroll 4
  for (int r = 0; r < kEpilogueRows; ++r) {
    if (r >= t.m) {
      v[2 * r] = v[2 * r + 1] = _mm256_setzero_ps();
      continue;
    }
    const int64_t ch = t.channel + r;
    const __m256i comp = _mm256_set1_epi32(e.compensation[ch]);
    const __m256 scale = _mm256_set1_ps(e.scale[ch]), bias = _mm256_set1_ps(e.bias[ch]);
#pragma GCC unroll 2
    for (int j = 0; j < 2; ++j) {
      const __m256 sums = _mm256_cvtepi32_ps(_mm256_add_epi32(c[2 * r + j], comp));
      v[2 * r + j] = _mm256_fmadd_ps(sums, scale, bias);
    }
  }
}

// The activated values v (as scaleTile's) plus the residual, stored as float or u8 (rounded from
// v * yInvScale + yZeroPoint in one step: within the u8 outputs' one-step tolerance of the scalar
// epilogue's round-then-add).
static inline void storeTile(const QEpilogue& e, const QTile& t, const __m256* v) {
  const int n = t.n;
  const __m256 rScale = _mm256_set1_ps(e.rScale), inv = _mm256_set1_ps(e.yInvScale);
  const __m256 yZero = _mm256_set1_ps(e.yZeroPoint), u8Max = _mm256_set1_ps(255.f);
  const __m256i rZero = _mm256_set1_epi32(e.rZeroPoint);
  for (int r = 0; r < t.m; ++r) {
    __m256 f[2] = {v[2 * r], v[2 * r + 1]};
    if (e.residual)
      for (int j = 0; j < 2; ++j) {
        const __m256i rq = _mm256_sub_epi32(loadU8x8(t.residual + r * t.ldy + j * 8, n - j * 8), rZero);
        f[j] = _mm256_add_ps(f[j], _mm256_mul_ps(_mm256_cvtepi32_ps(rq), rScale));
      }
    if (e.output == QEpilogue::Output::Float) {
      float* y = static_cast<float*>(t.y) + r * t.ldy;
      if (n >= kEpilogueNr) {
        _mm256_storeu_ps(y, f[0]);
        _mm256_storeu_ps(y + 8, f[1]);
      } else {
        float tmp[kEpilogueNr];
        _mm256_storeu_ps(tmp, f[0]);
        _mm256_storeu_ps(tmp + 8, f[1]);
        std::memcpy(y, tmp, sizeof(float) * n);
      }
      continue;
    }
    // The clamp below 0 is the saturating packs' (NaN converts to INT_MIN: 0, as the scalar clamp
    // gives); min(255, s) returns s when s is NaN.
    __m256i q[2];
    for (int j = 0; j < 2; ++j) q[j] = _mm256_cvtps_epi32(_mm256_min_ps(u8Max, _mm256_fmadd_ps(f[j], inv, yZero)));
    // int32 -> int16 -> u8; packs work within 128-bit lanes, the permute restores pixel order.
    const __m256i words = _mm256_permute4x64_epi64(_mm256_packs_epi32(q[0], q[1]), 0xd8);
    const __m128i bytes = _mm_packus_epi16(_mm256_castsi256_si128(words), _mm256_extracti128_si256(words, 1));
    uint8_t* y = static_cast<uint8_t*>(t.y) + r * t.ldy;
    if (n >= kEpilogueNr) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(y), bytes);
    } else {
      uint8_t tmp[16];
      _mm_storeu_si128(reinterpret_cast<__m128i*>(tmp), bytes);
      std::memcpy(y, tmp, n);
    }
  }
}

}  // namespace kiln::qgemm::detail
