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

// out = B^T in: one 6-point input transform along either axis.
inline void inputPoints(const Vec* in, Vec* out) {
  const Vec d42 = in[4] - in[2], d31 = in[3] - in[1];
  out[0] = 4.f * in[0] - 5.f * in[2] + in[4];
  out[1] = (in[3] + in[4]) - 4.f * (in[1] + in[2]);
  out[2] = (in[4] - in[3]) + 4.f * (in[1] - in[2]);
  out[3] = d42 + 2.f * d31;
  out[4] = d42 - 2.f * d31;
  out[5] = 4.f * in[1] - 5.f * in[3] + in[5];
}

// out = A^T in: one 6-point output transform along either axis.
inline void outputPoints(const Vec* in, Vec* out) {
  const Vec s12 = in[1] + in[2], d12 = in[1] - in[2], s34 = in[3] + in[4], d34 = in[3] - in[4];
  out[0] = in[0] + s12 + s34;
  out[1] = d12 + 2.f * d34;
  out[2] = s12 + 4.f * s34;
  out[3] = d12 + 8.f * d34 + in[5];
}

// Lanes t of p[m] = row[4 t + m] for the L tiles whose patches start at row[0], row[4], ...
inline void patchColumns(const float* row, Vec* p) {
  const Vec a0 = load(row), a1 = load(row + L), a2 = load(row + 2 * L), a3 = load(row + 3 * L);
  const Vec e01 = evens(a0, a1), o01 = odds(a0, a1), e23 = evens(a2, a3), o23 = odds(a2, a3);
  p[0] = evens(e01, e23);
  p[1] = evens(o01, o23);
  p[2] = odds(e01, e23);
  p[3] = odds(o01, o23);
  p[4] = shiftIn(p[0], row[4 * L]);
  p[5] = shiftIn(p[1], row[4 * L + 1]);
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

// The activation on `count` vectors in memory.
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

// d[i] = x[x0 + i] for i < n, zero outside [0, w).
void padRow(const float* x, int64_t w, int64_t x0, int64_t n, float* d) {
  const int64_t lead = minI(n, maxI(0, -x0)), end = maxI(lead, minI(n, w - x0));
  for (int64_t i = 0; i < lead; ++i) d[i] = 0.f;
  std::memcpy(d + lead, x + x0 + lead, static_cast<size_t>(end - lead) * sizeof(float));
  for (int64_t i = end; i < n; ++i) d[i] = 0.f;
}

// V for the L tiles whose 6x6 patches start at rows[j] + 0, 4, 8, ...: v[xi * xiStride + lane],
// only the first `lanes` lanes stored.
inline void inputTiles(const float* const* rows, float* v, int64_t xiStride, int64_t lanes) {
  Vec h[6][6];  // h[j][k]: patch row j transformed along the columns
  for (int j = 0; j < 6; ++j) {
    Vec p[6];
    patchColumns(rows[j], p);
    inputPoints(p, h[j]);
  }
  for (int k = 0; k < 6; ++k) {
    const Vec col[6] = {h[0][k], h[1][k], h[2][k], h[3][k], h[4][k], h[5][k]};
    Vec out[6];
    inputPoints(col, out);
    for (int i = 0; i < 6; ++i) storeUpTo(v + (6 * i + k) * xiStride, out[i], lanes);
  }
}

void input(const InputArgs& a) {
  const TileBlock& b = a.block;
  const int64_t rowFloats = inputRowFloats(a.stride, L), xiStride = a.cin * a.stride;
  float* zeroRow = a.scratch + 6 * rowFloats;
  for (int64_t i = 0; i < rowFloats; ++i) zeroRow[i] = 0.f;
  for (int64_t r = 0; r < kPoints * a.cin; ++r)
    for (int64_t t = b.count; t < a.stride; ++t) a.v[r * a.stride + t] = 0.f;
  // Segment by segment: the block's tiles in one tile row.
  for (int64_t t = 0; t < b.count;) {
    const int64_t ty = (b.first + t) / b.tilesW, tx = (b.first + t) % b.tilesW;
    const int64_t len = minI(b.tilesW - tx, b.count - t);
    const int64_t x0 = 4 * tx - a.padLeft, y0 = 4 * ty - a.padTop;
    // The columns the vectors read: whole vectors of tiles, and the last tile's two extra.
    const int64_t width = 4 * ((len + L - 1) / L * L) + 2;
    const bool inside = x0 >= 0 && x0 + width <= a.w;
    for (int64_t c = 0; c < a.cin; ++c) {
      const float* channel = a.x + c * a.h * a.w;
      const float* rows[6];
      for (int j = 0; j < 6; ++j) {
        const int64_t iy = y0 + j;
        if (iy < 0 || iy >= a.h) {
          rows[j] = zeroRow;
        } else if (inside) {
          rows[j] = channel + iy * a.w + x0;
        } else {
          float* d = a.scratch + j * rowFloats;
          padRow(channel + iy * a.w, a.w, x0, width, d);
          rows[j] = d;
        }
      }
      float* v = a.v + c * a.stride + t;
      for (int64_t q = 0; q < len; q += L) {
        const float* chunk[6];
        for (int j = 0; j < 6; ++j) chunk[j] = rows[j] + 4 * q;
        // Lanes past the segment belong to the next segment or to the block's padding: the next
        // segment overwrites them, and none may pass the row's end.
        inputTiles(chunk, v + q, xiStride, a.stride - (t + q));
      }
    }
    t += len;
  }
}

// The outputs of the L tiles of M at m (m[xi * xiStride + lane]) for one channel: out[r][s] lane
// t = act(output (r, s) of tile t + bias).
inline void outputTiles(const float* m, int64_t xiStride, float bias, const Act& act, Vec (*out)[4]) {
  Vec o[4][6];  // o[r][k]: column k transformed along the rows
  for (int k = 0; k < 6; ++k) {
    Vec col[6], rows[4];
    for (int j = 0; j < 6; ++j) col[j] = load(m + (6 * j + k) * xiStride);
    outputPoints(col, rows);
    for (int r = 0; r < 4; ++r) o[r][k] = rows[r];
  }
  const Vec b = splat(bias);
  for (int r = 0; r < 4; ++r) {
    outputPoints(o[r], out[r]);
    for (int s = 0; s < 4; ++s) out[r][s] += b;
  }
  if (act.act == Activation::None) return;
  alignas(64) float buf[16 * L];
  for (int i = 0; i < 16; ++i) store(buf + i * L, out[i / 4][i % 4]);
  act.applyVectors(buf, 16);
  for (int i = 0; i < 16; ++i) out[i / 4][i % 4] = load(buf + i * L);
}

void output(const OutputArgs& a) {
  const TileBlock& b = a.block;
  const Act act(a.epilogue);
  const int64_t xiStride = a.mRows * a.stride, plane = a.outH * a.outW;
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
        outputTiles(m + t + q, xiStride, bias, act, y);
        const int64_t ox = 4 * (tx + q), cols = minI(4 * minI(L, len - q), a.outW - ox);
        for (int64_t r = 0; r < rows; ++r) {
          const int64_t at = co * plane + (4 * ty + r) * a.outW + ox;
          Vec out[4];
          interleaveRow(y[r], out);
          for (int64_t s = 0; s * L < cols; ++s) {
            const int64_t n = minI(L, cols - s * L);
            Vec v = out[s];
            if (a.residual) v += n == L ? load(a.residual + at + s * L) : loadFirst(a.residual + at + s * L, n);
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
