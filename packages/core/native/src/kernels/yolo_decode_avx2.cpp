// AVX2+FMA YOLO decode: 8 channels x 8 pixels at a time, sigmoid on the 8 vectors at once (8
// interleaved dependency chains), transposed in registers into 8 pixels x 8 channels and stored
// straight into the pixel-major output. Reached only through yoloDecodeRow().
#include <immintrin.h>

#include "kernels/activation_avx2.h"
#include "kernels/yolo_decode.h"

namespace kiln::detail {
namespace {

alignas(32) const int32_t kMaskTable[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};

// Lanes [0, n) set, n in [0, 8].
inline __m256i laneMask(int64_t n) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kMaskTable + 8 - n));
}

// v[i] lane j -> v[j] lane i.
inline void transpose8x8(__m256* v) {
  const __m256 t0 = _mm256_unpacklo_ps(v[0], v[1]), t1 = _mm256_unpackhi_ps(v[0], v[1]);
  const __m256 t2 = _mm256_unpacklo_ps(v[2], v[3]), t3 = _mm256_unpackhi_ps(v[2], v[3]);
  const __m256 t4 = _mm256_unpacklo_ps(v[4], v[5]), t5 = _mm256_unpackhi_ps(v[4], v[5]);
  const __m256 t6 = _mm256_unpacklo_ps(v[6], v[7]), t7 = _mm256_unpackhi_ps(v[6], v[7]);
  const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  v[0] = _mm256_permute2f128_ps(u0, u4, 0x20);
  v[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
  v[2] = _mm256_permute2f128_ps(u2, u6, 0x20);
  v[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
  v[4] = _mm256_permute2f128_ps(u0, u4, 0x31);
  v[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
  v[6] = _mm256_permute2f128_ps(u2, u6, 0x31);
  v[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}

// The sigmoids of channels [c0, c0 + chans) at pixels [j0, j0 + pixels) (chans, pixels <= 8),
// written pixel-major at y + (j - j0) * k + (c - c0). Full blocks take no masks.
template <bool Full>
inline void block(const YoloDecodeRow& r, int64_t c0, int64_t chans, int64_t j0, int64_t pixels, float* y) {
  __m256 v[8];
  const __m256i loadMask = laneMask(pixels), storeMask = laneMask(chans);
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) {
    const float* src = r.x + (c0 + i) * r.plane + j0;
    if (Full) v[i] = _mm256_loadu_ps(src);
    else v[i] = i < chans ? _mm256_maskload_ps(src, loadMask) : _mm256_setzero_ps();
  }
  avx2::sigmoidPs<8>(v, v);
  transpose8x8(v);
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) {
    if (Full) _mm256_storeu_ps(y + i * r.k, v[i]);
    else if (i < pixels) _mm256_maskstore_ps(y + i * r.k, storeMask, v[i]);
  }
}

}  // namespace

void yoloDecodeRowAvx2(const YoloDecodeRow& r) {
  const int64_t w = r.w, k = r.k;
  for (int64_t j0 = 0; j0 < w; j0 += 8) {
    const int64_t pixels = w - j0 < 8 ? w - j0 : 8;
    float* y = r.y + j0 * k;
    for (int64_t c0 = 0; c0 < k; c0 += 8) {
      const int64_t chans = k - c0 < 8 ? k - c0 : 8;
      if (pixels == 8 && chans == 8) block<true>(r, c0, 8, j0, 8, y + c0);
      else block<false>(r, c0, chans, j0, pixels, y + c0);
    }
    // The box: centre from the grid, size from the anchors, over the stored sigmoids.
    for (int64_t j = j0; j < j0 + pixels; ++j) {
      float* o = r.y + j * k;
      const float* g = r.grid + 2 * j;
      const float* an = r.anchor + 2 * j;
      o[0] = (o[0] * 2.f + g[0]) * r.stride;
      o[1] = (o[1] * 2.f + g[1]) * r.stride;
      const float sw = o[2] * 2.f, sh = o[3] * 2.f;
      o[2] = sw * sw * an[0];
      o[3] = sh * sh * an[1];
    }
  }
}

}  // namespace kiln::detail
