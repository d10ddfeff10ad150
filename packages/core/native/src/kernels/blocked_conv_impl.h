// The blocked convolutions' inner loops, compiled once per ISA: blocked_conv_scalar.cpp,
// blocked_conv_avx2.cpp and blocked_conv_avx512.cpp define KILN_BLOCKED_PIXELS,
// KILN_BLOCKED_OUT_BLOCKS and KILN_BLOCKED_WIDE_PIXELS (0: no wide window tile) and include this file. A 16-channel block is a Vec: one zmm, two ymm or
// four xmm, as an array of the ISA's own vectors (GCC lowers a 64-byte vector type on a narrower
// ISA through memory, several times slower). Internal linkage and no standard-library templates,
// so that no instance compiled for a wider ISA serves the baseline code.
#include <cstdint>
#include <cstring>

#include "kernels/blocked_conv.h"
#include "kernels/blocked_pool.h"
#include "kernels/winograd_points.h"

#if !defined(KILN_BLOCKED_PIXELS) || !defined(KILN_BLOCKED_OUT_BLOCKS) || !defined(KILN_BLOCKED_WIDE_PIXELS)
#error "define KILN_BLOCKED_PIXELS, KILN_BLOCKED_OUT_BLOCKS and KILN_BLOCKED_WIDE_PIXELS before including blocked_conv_impl.h"
#endif

namespace kiln::blocked::detail {
namespace {

#if defined(__AVX512F__)
constexpr int kLanes = 16;
#elif defined(__AVX2__)
constexpr int kLanes = 8;
#else
constexpr int kLanes = 4;
#endif
typedef float Native __attribute__((vector_size(kLanes * 4)));
constexpr int kParts = kBlock / kLanes;

struct Vec {
  Native part[kParts];
};

inline Vec load(const float* p) {
  Vec v;
#pragma GCC unroll 4
  for (int i = 0; i < kParts; ++i) std::memcpy(&v.part[i], p + i * kLanes, sizeof(Native));
  return v;
}
inline void store(float* p, const Vec& v) {
#pragma GCC unroll 4
  for (int i = 0; i < kParts; ++i) std::memcpy(p + i * kLanes, &v.part[i], sizeof(Native));
}

#define KILN_PARTWISE(expr)                                                                                \
  Vec r;                                                                                                   \
  _Pragma("GCC unroll 4") for (int i = 0; i < kParts; ++i) r.part[i] = expr;                               \
  return r;
inline Vec operator+(const Vec& a, const Vec& b) { KILN_PARTWISE(a.part[i] + b.part[i]) }
inline Vec operator-(const Vec& a, const Vec& b) { KILN_PARTWISE(a.part[i] - b.part[i]) }
inline Vec operator*(const Vec& a, const Vec& b) { KILN_PARTWISE(a.part[i] * b.part[i]) }
inline Vec operator*(const Vec& a, float s) { KILN_PARTWISE(a.part[i] * s) }
inline Vec operator*(float s, const Vec& a) { KILN_PARTWISE(s * a.part[i]) }
inline Vec maxOf(const Vec& a, const Vec& b) { KILN_PARTWISE(a.part[i] > b.part[i] ? a.part[i] : b.part[i]) }
inline Vec minOf(const Vec& a, const Vec& b) { KILN_PARTWISE(b.part[i] < a.part[i] ? b.part[i] : a.part[i]) }
inline Vec splat(float s) { KILN_PARTWISE(Native{} + s) }
#undef KILN_PARTWISE
inline Vec& operator+=(Vec& a, const Vec& b) {
#pragma GCC unroll 4
  for (int i = 0; i < kParts; ++i) a.part[i] += b.part[i];
  return a;
}

// A tile's accumulators: R pixels x OB blocks, starting from the bias and stored block by block.
template <int R, int OB>
inline void initTile(Vec (&acc)[R][OB], const float* bias) {
#pragma GCC unroll 16
  for (int b = 0; b < OB; ++b) {
    const Vec init = bias ? load(bias + b * kBlock) : Vec{};
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) acc[r][b] = init;
  }
}
template <int R, int OB>
inline void storeTile(const Vec (&acc)[R][OB], const TileOut& o) {
  const Vec lo = splat(o.lo), hi = splat(o.hi);
  auto clamp = [&](const Vec& v) { return minOf(maxOf(v, lo), hi); };
#pragma GCC unroll 16
  for (int b = 0; b < OB; ++b)
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      const int64_t at = b * o.blockStride + r * kBlock;
      Vec v = acc[r][b];
      if (o.clamp && !o.clampAfterResidual) v = clamp(v);
      if (o.residual) v += load(o.residual + at);
      if (o.clamp && o.clampAfterResidual) v = clamp(v);
      store(o.out + at, v);
    }
}

template <int R, int OB>
void pointwise(const float* x, int64_t cin, int64_t xBlockStride, const float* filters, const float* bias, const TileOut& o) {
  Vec acc[R][OB];
  initTile(acc, bias);
  for (int64_t c0 = 0; c0 < cin; c0 += kBlock) {
    const float* xb = x + c0 / kBlock * xBlockStride;
    const int64_t n = cin - c0 < kBlock ? cin - c0 : kBlock;
    for (int64_t c = 0; c < n; ++c) {
      Vec w[OB];
#pragma GCC unroll 16
      for (int b = 0; b < OB; ++b) w[b] = load(filters + b * kBlock);
#pragma GCC unroll 16
      for (int r = 0; r < R; ++r) {
        const float v = xb[r * kBlock + c];
#pragma GCC unroll 16
        for (int b = 0; b < OB; ++b) acc[r][b] += w[b] * v;
      }
      filters += OB * kBlock;
    }
  }
  storeTile(acc, o);
}

template <int OB>
void pointwiseBlocks(int pixels, const float* x, int64_t cin, int64_t xBlockStride, const float* filters,
                     const float* bias, const TileOut& o) {
  switch (pixels) {
#define KILN_BLOCKED_CASE(n)                                                                                   \
  case n:                                                                                                      \
    return pointwise<(n <= KILN_BLOCKED_PIXELS ? n : 1), OB>(x, cin, xBlockStride, filters, bias, o);
    KILN_BLOCKED_CASE(1) KILN_BLOCKED_CASE(2) KILN_BLOCKED_CASE(3) KILN_BLOCKED_CASE(4) KILN_BLOCKED_CASE(5)
    KILN_BLOCKED_CASE(6) KILN_BLOCKED_CASE(7) KILN_BLOCKED_CASE(8) KILN_BLOCKED_CASE(9) KILN_BLOCKED_CASE(10)
    KILN_BLOCKED_CASE(11) KILN_BLOCKED_CASE(12)
#undef KILN_BLOCKED_CASE
    default: return;
  }
}

void pointwiseTile(int pixels, int outBlocks, const float* x, int64_t cin, int64_t xBlockStride, const float* filters,
                   const float* bias, const TileOut& o) {
  if (KILN_BLOCKED_OUT_BLOCKS > 1 && outBlocks == 2)
    pointwiseBlocks<KILN_BLOCKED_OUT_BLOCKS>(pixels, x, cin, xBlockStride, filters, bias, o);
  else
    pointwiseBlocks<1>(pixels, x, cin, xBlockStride, filters, bias, o);
}

// The tap tile: out[b][r][16] = bias[b] + sum over taps t and lanes c < LANES of
// x[taps[t].x + r * STEP * LANES + c] * filters[taps[t].filter + (c * OB + b) * 16]. LANES 16: a
// blocked input, a tap per 16-channel block (the window tile); LANES 1: an NCHW input, a tap per
// channel and window position (the direct tile).
template <int R, int OB, int STEP, int LANES>
void tapTile(const float* x, const Tap* taps, int64_t count, const float* filters, const float* bias, const TileOut& o) {
  Vec acc[R][OB];
  initTile(acc, bias);
  for (int64_t t = 0; t < count; ++t) {
    const float* xt = x + taps[t].x;
    const float* f = filters + taps[t].filter;
    for (int c = 0; c < LANES; ++c) {
      Vec w[OB];
#pragma GCC unroll 16
      for (int b = 0; b < OB; ++b) w[b] = load(f + (c * OB + b) * kBlock);
#pragma GCC unroll 16
      for (int r = 0; r < R; ++r) {
        const float v = xt[r * STEP * LANES + c];
#pragma GCC unroll 16
        for (int b = 0; b < OB; ++b) acc[r][b] += w[b] * v;
      }
    }
  }
  storeTile(acc, o);
}

// pixels <= MAXR: the tile of that many pixels.
template <int OB, int STEP, int LANES, int MAXR>
void tapPixels(int pixels, const float* x, const Tap* taps, int64_t count, const float* filters, const float* bias,
               const TileOut& o) {
  switch (pixels) {
#define KILN_BLOCKED_CASE(n) \
  case n: return tapTile<(n <= MAXR ? n : 1), OB, STEP, LANES>(x, taps, count, filters, bias, o);
    KILN_BLOCKED_CASE(1) KILN_BLOCKED_CASE(2) KILN_BLOCKED_CASE(3) KILN_BLOCKED_CASE(4) KILN_BLOCKED_CASE(5)
    KILN_BLOCKED_CASE(6) KILN_BLOCKED_CASE(7) KILN_BLOCKED_CASE(8) KILN_BLOCKED_CASE(9) KILN_BLOCKED_CASE(10)
    KILN_BLOCKED_CASE(11) KILN_BLOCKED_CASE(12)
#undef KILN_BLOCKED_CASE
    default: return;
  }
}

template <int LANES>
void tapTiles(int pixels, int outBlocks, int step, const float* x, const Tap* taps, int64_t count, const float* filters,
              const float* bias, const TileOut& o) {
  const bool two = KILN_BLOCKED_OUT_BLOCKS > 1 && outBlocks == 2;
  if (step == 2) {
    if (two) tapPixels<KILN_BLOCKED_OUT_BLOCKS, 2, LANES, KILN_BLOCKED_PIXELS>(pixels, x, taps, count, filters, bias, o);
    else tapPixels<1, 2, LANES, KILN_BLOCKED_PIXELS>(pixels, x, taps, count, filters, bias, o);
  } else {
    if (two) tapPixels<KILN_BLOCKED_OUT_BLOCKS, 1, LANES, KILN_BLOCKED_PIXELS>(pixels, x, taps, count, filters, bias, o);
    else tapPixels<1, 1, LANES, KILN_BLOCKED_PIXELS>(pixels, x, taps, count, filters, bias, o);
  }
}

void windowTile(int pixels, int outBlocks, int step, const float* x, const Tap* taps, int64_t count,
                const float* filters, const float* bias, const TileOut& o) {
  tapTiles<kBlock>(pixels, outBlocks, step, x, taps, count, filters, bias, o);
}

void directTile(int pixels, int outBlocks, int step, const float* x, const Tap* taps, int64_t count,
                const float* filters, const float* bias, const TileOut& o) {
  tapTiles<1>(pixels, outBlocks, step, x, taps, count, filters, bias, o);
}

#if KILN_BLOCKED_WIDE_PIXELS > 0
// The wide window tile: up to KILN_BLOCKED_WIDE_PIXELS pixels of up to four blocks, each broadcast
// input channel feeding four filter vectors (fewer loads per multiply-add than the tall tile).
template <int STEP>
void windowWideBlocks(int pixels, int outBlocks, const float* x, const Tap* taps, int64_t count, const float* filters,
                      const float* bias, const TileOut& o) {
  switch (outBlocks) {
    case 4: return tapPixels<4, STEP, kBlock, KILN_BLOCKED_WIDE_PIXELS>(pixels, x, taps, count, filters, bias, o);
    case 3: return tapPixels<3, STEP, kBlock, KILN_BLOCKED_WIDE_PIXELS>(pixels, x, taps, count, filters, bias, o);
    case 2: return tapPixels<2, STEP, kBlock, KILN_BLOCKED_WIDE_PIXELS>(pixels, x, taps, count, filters, bias, o);
    default: return tapPixels<1, STEP, kBlock, KILN_BLOCKED_WIDE_PIXELS>(pixels, x, taps, count, filters, bias, o);
  }
}

void windowWideTile(int pixels, int outBlocks, int step, const float* x, const Tap* taps, int64_t count,
                    const float* filters, const float* bias, const TileOut& o) {
  if (step == 2) windowWideBlocks<2>(pixels, outBlocks, x, taps, count, filters, bias, o);
  else windowWideBlocks<1>(pixels, outBlocks, x, taps, count, filters, bias, o);
}
#endif

// R output pixels of a 3x3 window with column stride SW, from x = ox * SW - padLeft on: each input
// pixel is loaded once per window row and serves every output and tap that reads it.
template <int SW, int R>
inline void depthwise3x3(const float* const* rows, int64_t x0, const float* filters, const Vec& b, float* y) {
  constexpr int kInputs = (R - 1) * SW + 3;
  Vec acc[R];
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) acc[r] = b;
#pragma GCC unroll 3
  for (int ky = 0; ky < 3; ++ky) {
    if (!rows[ky]) continue;
    const float* row = rows[ky] + x0 * kBlock;
    const Vec w0 = load(filters + ky * 3 * kBlock), w1 = load(filters + (ky * 3 + 1) * kBlock),
              w2 = load(filters + (ky * 3 + 2) * kBlock);
    Vec in[kInputs];
#pragma GCC unroll 32
    for (int i = 0; i < kInputs; ++i) in[i] = load(row + i * kBlock);
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      acc[r] += w0 * in[r * SW];
      acc[r] += w1 * in[r * SW + 1];
      acc[r] += w2 * in[r * SW + 2];
    }
  }
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) store(y + r * kBlock, acc[r]);
}

// Output pixels [ox, hi) of a 3x3 window with column stride SW, R at a time; returns the first
// not computed.
template <int SW>
int64_t depthwise3x3Interior(const float* const* rows, int64_t ox, int64_t hi, int64_t pl, const float* filters,
                             const Vec& b, float* y) {
  constexpr int R = kParts == 1 ? 8 : 4;
  for (; ox + R <= hi; ox += R) depthwise3x3<SW, R>(rows, ox * SW - pl, filters, b, y + ox * kBlock);
  return ox;
}

// In the interior (every tap inside the row) a 3x3 window with stride 1 or 2 several output pixels
// at a time, loading each input pixel once per window row; other windows four output pixels at a
// time, so that four independent sums hide the multiply-add latency. The edges tap by tap with
// bounds checks.
void depthwiseRow(const float* const* rows, int64_t w, const ConvGeometry& g, const float* filters, const float* bias,
                  int64_t ow, float* y) {
  const Vec b = bias ? load(bias) : Vec{};
  const int64_t sw = g.strideW, pl = g.padLeft;
  // ox in [lo, hi): every kx inside the row.
  int64_t lo = (pl + sw - 1) / sw, hi = w - g.kw + pl >= 0 ? (w - g.kw + pl) / sw + 1 : 0;
  if (hi > ow) hi = ow;
  if (lo > hi) lo = hi;
  auto edge = [&](int64_t ox) {
    Vec acc = b;
    for (int64_t ky = 0; ky < g.kh; ++ky) {
      if (!rows[ky]) continue;
      for (int64_t kx = 0; kx < g.kw; ++kx) {
        const int64_t ix = ox * sw - pl + kx;
        if (ix < 0 || ix >= w) continue;
        acc += load(filters + (ky * g.kw + kx) * kBlock) * load(rows[ky] + ix * kBlock);
      }
    }
    store(y + ox * kBlock, acc);
  };
  for (int64_t ox = 0; ox < lo; ++ox) edge(ox);
  int64_t ox = lo;
  if (g.kh == 3 && g.kw == 3 && sw == 1) ox = depthwise3x3Interior<1>(rows, ox, hi, pl, filters, b, y);
  if (g.kh == 3 && g.kw == 3 && sw == 2) ox = depthwise3x3Interior<2>(rows, ox, hi, pl, filters, b, y);
  for (; ox + 4 <= hi; ox += 4) {
    Vec a0 = b, a1 = b, a2 = b, a3 = b;
    for (int64_t ky = 0; ky < g.kh; ++ky) {
      if (!rows[ky]) continue;
      const float* row = rows[ky] + (ox * sw - pl) * kBlock;
      const float* f = filters + ky * g.kw * kBlock;
      for (int64_t kx = 0; kx < g.kw; ++kx) {
        const Vec wk = load(f + kx * kBlock);
        a0 += wk * load(row + kx * kBlock);
        a1 += wk * load(row + (sw + kx) * kBlock);
        a2 += wk * load(row + (2 * sw + kx) * kBlock);
        a3 += wk * load(row + (3 * sw + kx) * kBlock);
      }
    }
    store(y + ox * kBlock, a0);
    store(y + (ox + 1) * kBlock, a1);
    store(y + (ox + 2) * kBlock, a2);
    store(y + (ox + 3) * kBlock, a3);
  }
  for (; ox < ow; ++ox) edge(ox);
}

void winogradInput(const float* x, int64_t h, int64_t w, int64_t y0, int64_t x0, float* v, int64_t pointStride) {
  const bool inside = y0 >= 0 && x0 >= 0 && y0 + 6 <= h && x0 + 6 <= w;
  Vec rows[6][6];
  for (int i = 0; i < 6; ++i) {
    Vec d[6];
    const int64_t iy = y0 + i;
#pragma GCC unroll 6
    for (int j = 0; j < 6; ++j) {
      const int64_t ix = x0 + j;
      d[j] = inside || (iy >= 0 && iy < h && ix >= 0 && ix < w) ? load(x + (iy * w + ix) * kBlock) : Vec{};
    }
    winograd::inputPoints(d, rows[i]);
  }
#pragma GCC unroll 6
  for (int k = 0; k < 6; ++k) {
    const Vec column[6] = {rows[0][k], rows[1][k], rows[2][k], rows[3][k], rows[4][k], rows[5][k]};
    Vec out[6];
    winograd::inputPoints(column, out);
#pragma GCC unroll 6
    for (int i = 0; i < 6; ++i) store(v + (6 * i + k) * pointStride, out[i]);
  }
}

void winogradOutput(const float* m, int64_t pointStride, const float* bias, float* tile) {
  Vec rows[6][4];
#pragma GCC unroll 6
  for (int j = 0; j < 6; ++j) {
    Vec row[6];
#pragma GCC unroll 6
    for (int k = 0; k < 6; ++k) row[k] = load(m + (6 * j + k) * pointStride);
    winograd::outputPoints(row, rows[j]);
  }
  const Vec b = load(bias);
#pragma GCC unroll 4
  for (int s = 0; s < 4; ++s) {
    const Vec column[6] = {rows[0][s], rows[1][s], rows[2][s], rows[3][s], rows[4][s], rows[5][s]};
    Vec out[4];
    winograd::outputPoints(column, out);
#pragma GCC unroll 4
    for (int r = 0; r < 4; ++r) store(tile + (r * 4 + s) * kBlock, out[r] + b);
  }
}

void maxPoolRow(const float* x, int64_t h, int64_t w, const PoolWindow& g, int64_t oy, float* y) {
  const Vec lowest = splat(-__builtin_inff());
  for (int64_t ox = 0; ox < g.ow; ++ox) {
    Vec acc = lowest;
    for (int64_t ky = 0; ky < g.kh; ++ky) {
      const int64_t iy = oy * g.sh - g.pt + ky * g.dh;
      if (iy < 0 || iy >= h) continue;
      for (int64_t kx = 0; kx < g.kw; ++kx) {
        const int64_t ix = ox * g.sw - g.pl + kx * g.dw;
        if (ix < 0 || ix >= w) continue;
        const Vec v = load(x + (iy * w + ix) * kBlock);
        acc = maxOf(v, acc);
      }
    }
    store(y + ox * kBlock, acc);
  }
}

#if defined(__AVX512F__)
// A 16x16 transpose: four rounds of interleaving row i with row i + 8 (r[i] ends as column i).
inline void transpose16(Native* r) {
  for (int round = 0; round < 4; ++round) {
    Native n[16];
#pragma GCC unroll 8
    for (int i = 0; i < 8; ++i) {
      n[2 * i] = __builtin_shufflevector(r[i], r[i + 8], 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
      n[2 * i + 1] = __builtin_shufflevector(r[i], r[i + 8], 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    }
#pragma GCC unroll 16
    for (int i = 0; i < 16; ++i) r[i] = n[i];
  }
}

void toBlocked16(const float* src, int64_t plane, int64_t channels, float* dst) {
  Native r[16];
#pragma GCC unroll 16
  for (int c = 0; c < 16; ++c) r[c] = c < channels ? load(src + c * plane).part[0] : Native{};
  transpose16(r);
#pragma GCC unroll 16
  for (int p = 0; p < 16; ++p) std::memcpy(dst + p * kBlock, &r[p], sizeof r[p]);
}

void fromBlocked16(const float* src, int64_t plane, int64_t channels, float* dst) {
  Native r[16];
#pragma GCC unroll 16
  for (int p = 0; p < 16; ++p) r[p] = load(src + p * kBlock).part[0];
  transpose16(r);
  for (int c = 0; c < channels; ++c) std::memcpy(dst + c * plane, &r[c], sizeof r[c]);
}
#else
// 16 pixels x 16 channels element by element: narrower ISAs have no 16-wide shuffles.
void toBlocked16(const float* src, int64_t plane, int64_t channels, float* dst) {
  for (int p = 0; p < 16; ++p)
    for (int c = 0; c < 16; ++c) dst[p * kBlock + c] = c < channels ? src[c * plane + p] : 0.f;
}

void fromBlocked16(const float* src, int64_t plane, int64_t channels, float* dst) {
  for (int c = 0; c < channels; ++c)
    for (int p = 0; p < 16; ++p) dst[c * plane + p] = src[p * kBlock + c];
}
#endif

// This ISA's kernels (the wide window tile where the ISA has the registers for it).
Kernels kernelsOfThisIsa() {
#if KILN_BLOCKED_WIDE_PIXELS > 0
  const TapTileFn wide = windowWideTile;
  const int widePixels = KILN_BLOCKED_WIDE_PIXELS, wideOutBlocks = 4;
#else
  const TapTileFn wide = nullptr;
  const int widePixels = 0, wideOutBlocks = 0;
#endif
  return {pointwiseTile, KILN_BLOCKED_PIXELS, KILN_BLOCKED_OUT_BLOCKS, depthwiseRow, directTile, windowTile, winogradInput,
          winogradOutput, maxPoolRow, toBlocked16, fromBlocked16, wide, widePixels, wideOutBlocks};
}

}  // namespace
}  // namespace kiln::blocked::detail
