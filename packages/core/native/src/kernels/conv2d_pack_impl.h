// The convolution packers, compiled once per ISA: conv2d_pack.cpp, conv2d_pack_avx2.cpp and
// conv2d_pack_avx512.cpp each define KILN_PACK_VEC_BYTES (their vector width) and include this file.
// Everything here has internal linkage and uses no standard-library templates, so that no instance
// compiled for a wider ISA can be picked by the linker for the baseline code.
#include <cstdint>
#include <cstring>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include "kernels/conv2d_pack.h"

#ifndef KILN_PACK_VEC_BYTES
#error "define KILN_PACK_VEC_BYTES before including conv2d_pack_impl.h"
#endif

namespace kiln::conv {
namespace {

typedef float PackVec __attribute__((vector_size(KILN_PACK_VEC_BYTES)));
constexpr int kVecFloats = KILN_PACK_VEC_BYTES / 4;

inline int64_t minI(int64_t a, int64_t b) { return a < b ? a : b; }
inline int64_t maxI(int64_t a, int64_t b) { return a > b ? a : b; }
inline int64_t ceilDivI(int64_t a, int64_t b) { return (a + b - 1) / b; }
// ceilDivI for a >= 0 without a division for the common strides.
inline int64_t ceilDivStride(int64_t a, int64_t stride) {
  return stride == 1 ? a : stride == 2 ? (a + 1) >> 1 : (a + stride - 1) / stride;
}

inline PackVec loadVec(const float* p) {
  PackVec v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void storeVec(float* p, PackVec v) { std::memcpy(p, &v, sizeof v); }

// The even-indexed floats of a followed by those of b.
inline PackVec evens(PackVec a, PackVec b) {
#if KILN_PACK_VEC_BYTES == 16
  return __builtin_shufflevector(a, b, 0, 2, 4, 6);
#elif KILN_PACK_VEC_BYTES == 32
  return __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14);
#else
  return __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
#endif
}

// The odd-indexed floats of a followed by those of b.
inline PackVec odds(PackVec a, PackVec b) {
#if KILN_PACK_VEC_BYTES == 16
  return __builtin_shufflevector(a, b, 1, 3, 5, 7);
#elif KILN_PACK_VEC_BYTES == 32
  return __builtin_shufflevector(a, b, 1, 3, 5, 7, 9, 11, 13, 15);
#else
  return __builtin_shufflevector(a, b, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
#endif
}

// chunk[i] = src[i] for i in [from, to), reading only those src floats: a panel row's partial
// chunk at a run's ends. Masked vector moves where the ISA has them.
template <int NR>
inline void copyLanes(float* chunk, const float* src, int64_t from, int64_t to) {
#if defined(__AVX512F__)
  for (int64_t i = 0; i < NR; i += 16) {
    const int64_t lo = maxI(from - i, 0), hi = minI(to - i, 16);
    if (lo >= hi) continue;
    const __mmask16 mask = static_cast<__mmask16>(((1u << hi) - 1) & ~((1u << lo) - 1));
    _mm512_mask_storeu_ps(chunk + i, mask, _mm512_maskz_loadu_ps(mask, src + i));
  }
#elif defined(__AVX2__)
  // A masked load, then a blend into the chunk: AMD's masked stores are slow.
  alignas(32) static const int32_t ramp[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  for (int64_t i = 0; i < NR; i += 8) {
    const int64_t lo = maxI(from - i, 0), hi = minI(to - i, 8);
    if (lo >= hi) continue;
    const __m256i lane = _mm256_load_si256(reinterpret_cast<const __m256i*>(ramp));
    const __m256i mask = _mm256_andnot_si256(_mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(lo)), lane),
                                             _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(hi)), lane));
    const __m256 v = _mm256_maskload_ps(src + i, mask);
    _mm256_storeu_ps(chunk + i, _mm256_blendv_ps(_mm256_loadu_ps(chunk + i), v, _mm256_castsi256_ps(mask)));
  }
#else
  for (int64_t i = from; i < to; ++i) chunk[i] = src[i];
#endif
}

template <int NR>
struct Packer {
  static_assert(NR % kVecFloats == 0, "a panel is whole vectors");

  // One packed row of a tile: row k of every panel, panels `stride` floats apart.
  struct Row {
    float* base;  // row k of the first panel
    int64_t stride;
  };

  // Tile columns [q, q + count) of the row get src[i * step], i < count. Reads only those floats.
  static void put(const Row& row, int64_t q, const float* src, int64_t step, int64_t count) {
    float* d = row.base + q / NR * row.stride + q % NR;
    // Up to the next panel boundary.
    if (q % NR) {
      const int64_t off = q % NR, n = minI(NR - off, count);
      if (step == 1)
        copyLanes<NR>(d - off, src - off, off, off + n);
      else
        for (int64_t i = 0; i < n; ++i) d[i] = src[i * step];
      d += row.stride - off;
      src += n * step;
      count -= n;
    }
    // Whole panels.
    if (step == 1) {
      for (; count >= NR; count -= NR, src += NR, d += row.stride)
        for (int i = 0; i < NR; i += kVecFloats) storeVec(d + i, loadVec(src + i));
    } else if (step == 2) {
      // Reads src[0, 2 NR): one float past the last one used, so only while another panel follows.
      for (; count > NR; count -= NR, src += 2 * NR, d += row.stride)
        for (int i = 0; i < NR; i += kVecFloats)
          storeVec(d + i, evens(loadVec(src + 2 * i), loadVec(src + 2 * i + kVecFloats)));
    }
    for (; count > 0; count -= NR, src += NR * step, d += row.stride) {
      const int64_t n = minI(NR, count);
      if (step == 1)
        copyLanes<NR>(d, src, 0, n);
      else
        for (int64_t i = 0; i < n; ++i) d[i] = src[i * step];
    }
  }

  static void zero(const Row& row, int64_t q, int64_t count) {
    while (count > 0) {
      const int64_t j = q / NR, off = q % NR;
      float* d = row.base + j * row.stride + off;
      const int64_t n = minI(NR - off, count);
      for (int64_t i = 0; i < n; ++i) d[i] = 0.f;
      q += n;
      count -= n;
    }
  }

  static void pointwise(const InputView& in, int64_t imageStride, int64_t k0, int64_t kc, int64_t n0, int64_t n,
                        int64_t panelStride, float* dst) {
    const int64_t plane = in.h * in.w, padded = ceilDivI(n, NR) * NR;
    for (int64_t k = 0; k < kc; ++k) {
      const Row row{dst + k * NR, panelStride};
      // Column n0 + q is pixel (n0 + q) % plane of image (n0 + q) / plane.
      for (int64_t q = 0; q < n;) {
        const int64_t image = (n0 + q) / plane, pixel = (n0 + q) % plane, len = minI(plane - pixel, n - q);
        put(row, q, in.x + image * imageStride + (k0 + k) * plane + pixel, 1, len);
        q += len;
      }
      zero(row, n, padded - n);
    }
  }

  // Row k of the tile is the tap (c, ky, kx) for every output pixel of [n0, n0 + n): output row by
  // output row, the taps that fall in the input are a run of input row iy with step strideW.
  static void im2col(const ConvGeometry& g, const InputView& in, int64_t k0, int64_t kc, int64_t n0, int64_t n,
                     int64_t panelStride, float* dst) {
    const int64_t plane = in.h * in.w, padded = ceilDivI(n, NR) * NR, sw = g.strideW;
    const int64_t oyFirst = n0 / in.outW, oxFirst = n0 % in.outW;
    int64_t c = k0 / (g.kh * g.kw), ky = k0 / g.kw % g.kh, kx = k0 % g.kw;
    for (int64_t k = 0; k < kc; ++k) {
      const Row row{dst + k * NR, panelStride};
      const float* channel = in.x + c * plane;
      int64_t oy = oyFirst, ox = oxFirst;
      for (int64_t q = 0; q < n; ox = 0, ++oy) {
        const int64_t len = minI(in.outW - ox, n - q);
        const int64_t iy = oy * g.strideH - g.padTop + ky * g.dilationH;
        if (iy < 0 || iy >= in.h) {
          zero(row, q, len);
        } else {
          // Output ox + i reads input column ix0 + i * sw, inside the row for i in [lo, hi).
          const int64_t ix0 = ox * sw - g.padLeft + kx * g.dilationW;
          const int64_t lo = minI(len, ix0 >= 0 ? 0 : ceilDivStride(-ix0, sw));
          const int64_t hi = maxI(lo, minI(len, in.w - ix0 <= 0 ? 0 : ceilDivStride(in.w - ix0, sw)));
          zero(row, q, lo);
          const float* src = channel + iy * in.w + ix0 + lo * sw;
          if (kx == 0 && iy + g.dilationH < in.h) {
            // The next kernel row's taps read the input row below: start bringing it in.
            const float* next = src + g.dilationH * in.w;
            for (int64_t i = 0; i < (hi - lo) * sw; i += 16) __builtin_prefetch(next + i);
          }
          put(row, q + lo, src, sw, hi - lo);
          zero(row, q + hi, len - hi);
        }
        q += len;
      }
      zero(row, n, padded - n);
      if (++kx == g.kw) {
        kx = 0;
        if (++ky == g.kh) {
          ky = 0;
          ++c;
        }
      }
    }
  }

  // Stride st (1 or 2): tap (c, ky, kx) reads input row st oy - padTop + ky = st (oy + a - bt) + r
  // with ey = ky - padTop + st bt = st a + r >= 0: row oy + a of phase r, and likewise for
  // columns, so every output row's run is a unit-stride copy with no padding test.
  static void phaseIm2col(const ConvGeometry& g, const PhaseView& in, int64_t k0, int64_t kc, int64_t n0,
                          int64_t n, int64_t panelStride, float* dst) {
    const int64_t plane = in.zh * in.zw, padded = ceilDivI(n, NR) * NR;
    const int64_t st = g.strideH, bt = (g.padTop + st - 1) / st, bl = (g.padLeft + st - 1) / st;
    const int64_t oyFirst = n0 / in.outW, oxFirst = n0 % in.outW;
    int64_t c = k0 / (g.kh * g.kw), ky = k0 / g.kw % g.kh, kx = k0 % g.kw;
    for (int64_t k = 0; k < kc; ++k) {
      const Row row{dst + k * NR, panelStride};
      const int64_t ey = ky - g.padTop + st * bt, ex = kx - g.padLeft + st * bl;
      const float* src = in.z + ((c * st + ey % st) * st + ex % st) * plane + ey / st * in.zw + ex / st;
      int64_t oy = oyFirst, ox = oxFirst;
      for (int64_t q = 0; q < n; ox = 0, ++oy) {
        const int64_t len = minI(in.outW - ox, n - q);
        put(row, q, src + oy * in.zw + ox, 1, len);
        q += len;
      }
      zero(row, n, padded - n);
      if (++kx == g.kw) {
        kx = 0;
        if (++ky == g.kh) {
          ky = 0;
          ++c;
        }
      }
    }
  }

  static void splitPhaseRow(const float* x, int64_t h, int64_t w, int64_t bt, int64_t bl, int64_t r, int64_t u,
                            int64_t zw, float* d0, float* d1) {
    const int64_t iy = 2 * (u - bt) + r;
    if (iy < 0 || iy >= h) {
      for (int64_t v = 0; v < zw; ++v) d0[v] = d1[v] = 0.f;
      return;
    }
    const float* src = x + iy * w;
    // Column v reads input columns 2 (v - bl) and 2 (v - bl) + 1: both inside for v in [bl, vEnd).
    const int64_t vBegin = minI(bl, zw), vEnd = maxI(vBegin, minI(zw, bl + w / 2));
    int64_t v = 0;
    for (; v < vBegin; ++v) d0[v] = d1[v] = 0.f;
    for (; v + kVecFloats <= vEnd; v += kVecFloats) {
      const float* s = src + 2 * (v - bl);
      const PackVec a = loadVec(s), b = loadVec(s + kVecFloats);
      storeVec(d0 + v, evens(a, b));
      storeVec(d1 + v, odds(a, b));
    }
    for (; v < zw; ++v) {
      const int64_t ix = 2 * (v - bl);
      d0[v] = ix >= 0 && ix < w ? src[ix] : 0.f;
      d1[v] = ix + 1 >= 0 && ix + 1 < w ? src[ix + 1] : 0.f;
    }
  }
};

}  // namespace
}  // namespace kiln::conv
