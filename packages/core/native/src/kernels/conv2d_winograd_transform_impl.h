// The Winograd F(4x4, 3x3) input and output transforms, compiled once per ISA:
// conv2d_winograd_transform.cpp, conv2d_winograd_transform_avx2.cpp and
// conv2d_winograd_transform_avx512.cpp each define KILN_WINOGRAD_VEC_BYTES (their vector width)
// and include this file. Vectors hold one value of consecutive tiles of a tile row, one tile per
// lane. Everything here has internal linkage and uses no standard-library templates, so that no
// instance compiled for a wider ISA can be picked by the linker for the baseline code.
#include <cstdint>
#include <cstring>

#if defined(__AVX512F__)
#include "kernels/activation_avx512.h"
#elif defined(__AVX2__)
#include "kernels/activation_avx2.h"
#else
#include "kernels/activation_scalar.h"
#endif
#include "kernels/conv2d_winograd_transform.h"
#include "kernels/winograd_points.h"

#ifndef KILN_WINOGRAD_VEC_BYTES
#error "define KILN_WINOGRAD_VEC_BYTES before including conv2d_winograd_transform_impl.h"
#endif

namespace kiln::winograd {
namespace {

typedef float Vec __attribute__((vector_size(KILN_WINOGRAD_VEC_BYTES)));
constexpr int L = KILN_WINOGRAD_VEC_BYTES / 4;

inline int64_t minI(int64_t a, int64_t b) { return a < b ? a : b; }
inline int64_t maxI(int64_t a, int64_t b) { return a > b ? a : b; }

inline Vec load(const float* p) {
  Vec v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store(float* p, Vec v) { std::memcpy(p, &v, sizeof v); }
inline Vec splat(float f) { return Vec{} + f; }

// The first n (< L) lanes of p, the rest zero; reads only those floats.
inline Vec loadFirst(const float* p, int64_t n) {
#if defined(__AVX512F__)
  return (Vec)_mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << n) - 1), p);
#else
  alignas(64) float lanes[L] = {};
  for (int64_t i = 0; i < n; ++i) lanes[i] = p[i];
  return load(lanes);
#endif
}

// Stores the first n (< L) lanes of v; writes only those floats.
inline void storeFirst(float* p, Vec v, int64_t n) {
#if defined(__AVX512F__)
  _mm512_mask_storeu_ps(p, static_cast<__mmask16>((1u << n) - 1), (__m512)v);
#else
  alignas(64) float lanes[L];
  store(lanes, v);
  for (int64_t i = 0; i < n; ++i) p[i] = lanes[i];
#endif
}

inline void storeUpTo(float* p, Vec v, int64_t n) {
  if (n >= L)
    store(p, v);
  else
    storeFirst(p, v, n);
}

// Lanes i of row[x + i], zero where x + i is outside [0, w); reads only the floats inside.
inline Vec loadColumns(const float* row, int64_t x, int64_t w) {
  if (x >= 0 && x + L <= w) return load(row + x);
  const int64_t lo = minI(L, maxI(0, -x)), hi = maxI(lo, minI(L, w - x));
#if defined(__AVX512F__)
  const __mmask16 mask = static_cast<__mmask16>(((1u << hi) - 1) & ~((1u << lo) - 1));
  return (Vec)_mm512_maskz_loadu_ps(mask, row + x);
#elif defined(__AVX2__)
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i mask = _mm256_andnot_si256(_mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(lo)), lane),
                                           _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(hi)), lane));
  return (Vec)_mm256_maskload_ps(row + x, mask);
#else
  alignas(64) float lanes[L] = {};
  for (int64_t i = lo; i < hi; ++i) lanes[i] = row[x + i];
  return load(lanes);
#endif
}

inline float loadColumn(const float* row, int64_t x, int64_t w) { return x >= 0 && x < w ? row[x] : 0.f; }

// The even-indexed lanes of (a, b), the odd-indexed ones; lanes [0, L) of a and b zipped, and
// lanes [L, 2L); v shifted down one lane with f entering at the top.
#if KILN_WINOGRAD_VEC_BYTES == 16
inline Vec evens(Vec a, Vec b) { return __builtin_shufflevector(a, b, 0, 2, 4, 6); }
inline Vec odds(Vec a, Vec b) { return __builtin_shufflevector(a, b, 1, 3, 5, 7); }
inline Vec zipLow(Vec a, Vec b) { return __builtin_shufflevector(a, b, 0, 4, 1, 5); }
inline Vec zipHigh(Vec a, Vec b) { return __builtin_shufflevector(a, b, 2, 6, 3, 7); }
inline Vec shiftIn(Vec v, float f) { return __builtin_shufflevector(v, splat(f), 1, 2, 3, 4); }
#elif KILN_WINOGRAD_VEC_BYTES == 32
inline Vec evens(Vec a, Vec b) { return __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14); }
inline Vec odds(Vec a, Vec b) { return __builtin_shufflevector(a, b, 1, 3, 5, 7, 9, 11, 13, 15); }
inline Vec zipLow(Vec a, Vec b) { return __builtin_shufflevector(a, b, 0, 8, 1, 9, 2, 10, 3, 11); }
inline Vec zipHigh(Vec a, Vec b) { return __builtin_shufflevector(a, b, 4, 12, 5, 13, 6, 14, 7, 15); }
inline Vec shiftIn(Vec v, float f) { return __builtin_shufflevector(v, splat(f), 1, 2, 3, 4, 5, 6, 7, 8); }
#else
inline Vec evens(Vec a, Vec b) {
  return __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
}
inline Vec odds(Vec a, Vec b) {
  return __builtin_shufflevector(a, b, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
}
inline Vec zipLow(Vec a, Vec b) {
  return __builtin_shufflevector(a, b, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
}
inline Vec zipHigh(Vec a, Vec b) {
  return __builtin_shufflevector(a, b, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
}
inline Vec shiftIn(Vec v, float f) {
  return __builtin_shufflevector(v, splat(f), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
}
#endif

// One patch row of the L tiles whose patches start at column x of an input row of w floats: lanes
// t of p[m] = row[x + 4 t + m], zero outside the row.
inline void patchColumns(const float* row, int64_t x, int64_t w, Vec* p) {
  Vec a[4];
  float next0, next1;  // the columns past the last tile's first four
  if (x >= 0 && x + 4 * L + 2 <= w) {
    for (int c = 0; c < 4; ++c) a[c] = load(row + x + c * L);
    next0 = row[x + 4 * L];
    next1 = row[x + 4 * L + 1];
  } else {
    for (int c = 0; c < 4; ++c) a[c] = loadColumns(row, x + c * L, w);
    next0 = loadColumn(row, x + 4 * L, w);
    next1 = loadColumn(row, x + 4 * L + 1, w);
  }
  const Vec e01 = evens(a[0], a[1]), o01 = odds(a[0], a[1]), e23 = evens(a[2], a[3]), o23 = odds(a[2], a[3]);
  p[0] = evens(e01, e23);
  p[1] = evens(o01, o23);
  p[2] = odds(e01, e23);
  p[3] = odds(o01, o23);
  p[4] = shiftIn(p[0], next0);
  p[5] = shiftIn(p[1], next1);
}

// The 4 L floats of one output row of L tiles: out[4 t + s] = lane t of y[s].
inline void interleaveRow(const Vec* y, Vec* out) {
  const Vec u0 = zipLow(y[0], y[2]), u1 = zipHigh(y[0], y[2]);
  const Vec w0 = zipLow(y[1], y[3]), w1 = zipHigh(y[1], y[3]);
  out[0] = zipLow(u0, w0);
  out[1] = zipHigh(u0, w0);
  out[2] = zipLow(u1, w1);
  out[3] = zipHigh(u1, w1);
}

// The epilogue's activation, applied to vectors in memory.
#if defined(__AVX512F__)
using Act = avx512::Act;
#elif defined(__AVX2__)
using Act = avx2::Act;
#else
struct Act {
  Activation act;
  Epilogue epilogue;
  explicit Act(const Epilogue& e) : act(e.act), epilogue(e) {}
  void applyVectors(float* p, int64_t count) const {
    for (int64_t i = 0; i < count * L; ++i) p[i] = activateScalar(p[i], epilogue);
  }
};
#endif

// V for the L tiles whose 6x6 patches start at column x of the given input rows (null: a row
// outside the input): v[xi * pointStride + lane], only the first `lanes` lanes stored.
inline void inputTiles(const float* const* rows, int64_t x, int64_t w, float* v, int64_t pointStride, int64_t lanes) {
  Vec h[6][6];  // h[j][k]: patch row j transformed along the columns
  for (int j = 0; j < 6; ++j) {
    if (!rows[j]) {
      for (int k = 0; k < 6; ++k) h[j][k] = Vec{};
      continue;
    }
    Vec p[6];
    patchColumns(rows[j], x, w, p);
    inputPoints(p, h[j]);
  }
  for (int k = 0; k < 6; ++k) {
    const Vec col[6] = {h[0][k], h[1][k], h[2][k], h[3][k], h[4][k], h[5][k]};
    Vec out[6];
    inputPoints(col, out);
    for (int i = 0; i < 6; ++i) storeUpTo(v + (6 * i + k) * pointStride, out[i], lanes);
  }
}

void input(const InputArgs& a) {
  const TileBlock& b = a.block;
  // Channel by channel, reading down each plane; within a channel, segment by segment: the block's
  // tiles in one tile row.
  for (int64_t c = 0; c < a.cin; ++c) {
    const float* channel = a.x + c * a.h * a.w;
    for (int64_t t = 0; t < b.count;) {
      const int64_t ty = (b.first + t) / b.tilesW, tx = (b.first + t) % b.tilesW;
      const int64_t len = minI(b.tilesW - tx, b.count - t);
      const int64_t x0 = 4 * tx - a.padLeft, y0 = 4 * ty - a.padTop;
      const float* rows[6];
      for (int j = 0; j < 6; ++j) rows[j] = y0 + j >= 0 && y0 + j < a.h ? channel + (y0 + j) * a.w : nullptr;
      float* v = a.v + c * a.stride + t;
      // Lanes past the segment belong to the next segment, which overwrites them, or to the block's
      // filler columns, which the last segment covers to the row's end (with the transform of
      // whatever lies right of its tiles: finite values, only ever multiplied into unused outputs).
      const int64_t end = t + len == b.count ? a.stride - t : len;
      for (int64_t q = 0; q < end; q += L) inputTiles(rows, x0 + 4 * q, a.w, v + q, a.pointStride, a.stride - (t + q));
      t += len;
    }
  }
}

// q = A^T applied along row j of the L tiles' M at m (m[xi * pointStride + lane]).
inline void outputRow(const float* m, int64_t pointStride, int j, Vec* q) {
  Vec row[6];
  for (int k = 0; k < 6; ++k) row[k] = load(m + (6 * j + k) * pointStride);
  outputPoints(row, q);
}

// The outputs of the L tiles of M at m for one channel: out[r][s] lane t = act(output (r, s) of
// tile t + bias). The rows of M are transformed one at a time and summed into the outputs with
// A^T's coefficients, so that only the outputs and one or two rows are live.
inline void outputTiles(const float* m, int64_t pointStride, float bias, const Act& act, Vec (*out)[4]) {
  Vec q0[4], q1[4], q2[4];
  outputRow(m, pointStride, 0, q0);
  outputRow(m, pointStride, 1, q1);
  outputRow(m, pointStride, 2, q2);
  const Vec b = splat(bias);
  for (int s = 0; s < 4; ++s) {
    const Vec sum = q1[s] + q2[s], diff = q1[s] - q2[s];
    out[0][s] = q0[s] + sum + b;
    out[1][s] = diff + b;
    out[2][s] = sum + b;
    out[3][s] = diff + b;
  }
  outputRow(m, pointStride, 3, q1);
  outputRow(m, pointStride, 4, q2);
  for (int s = 0; s < 4; ++s) {
    const Vec sum = q1[s] + q2[s], diff = q1[s] - q2[s];
    out[0][s] += sum;
    out[1][s] += 2.f * diff;
    out[2][s] += 4.f * sum;
    out[3][s] += 8.f * diff;
  }
  outputRow(m, pointStride, 5, q0);
  for (int s = 0; s < 4; ++s) out[3][s] += q0[s];
  if (act.act == Activation::None) return;
  alignas(64) float buf[16 * L];
  for (int i = 0; i < 16; ++i) store(buf + i * L, out[i / 4][i % 4]);
  act.applyVectors(buf, 16);
  for (int i = 0; i < 16; ++i) out[i / 4][i % 4] = load(buf + i * L);
}

void output(const OutputArgs& a) {
  const TileBlock& b = a.block;
  // With afterResidual the activation waits until the residual is in: the tiles come out without.
  const bool actLast = a.residual && a.epilogue.afterResidual;
  const Act act(actLast ? Epilogue{} : a.epilogue);
  const Act lastAct(a.epilogue);
  const int64_t plane = a.outH * a.outW;
  for (int64_t i = 0; i < a.channels; ++i) {
    const int64_t co = a.co0 + i;
    const float bias = a.bias ? a.bias[co] : 0.f;
    const float* m = a.m + i * a.stride;
    for (int64_t t = 0; t < b.count;) {
      const int64_t ty = (b.first + t) / b.tilesW, tx = (b.first + t) % b.tilesW;
      const int64_t len = minI(b.tilesW - tx, b.count - t);
      const int64_t rows = minI(4, a.outH - 4 * ty);
      for (int64_t q = 0; q < len; q += L) {
        Vec y[4][4];
        outputTiles(m + t + q, a.pointStride, bias, act, y);
        const int64_t ox = 4 * (tx + q), cols = minI(4 * minI(L, len - q), a.outW - ox);
        for (int64_t r = 0; r < rows; ++r) {
          const int64_t at = co * plane + (4 * ty + r) * a.outW + ox;
          Vec out[4];
          interleaveRow(y[r], out);
          for (int64_t s = 0; s * L < cols; ++s) {
            const int64_t n = minI(L, cols - s * L);
            Vec v = out[s];
            if (a.residual) v += n == L ? load(a.residual + at + s * L) : loadFirst(a.residual + at + s * L, n);
            if (actLast) {
              alignas(64) float buf[L];
              store(buf, v);
              lastAct.applyVectors(buf, 1);
              v = load(buf);
            }
            storeUpTo(a.y + at + s * L, v, n);
          }
        }
      }
      t += len;
    }
  }
}

}  // namespace
}  // namespace kiln::winograd
