#pragma once
#include <cstdint>

#include "kernels/activation.h"
#include "kernels/qconv2d.h"

// The packed u8 x s8 GEMM building blocks of the INT8 convolutions: C[m, n] = W[m, K] x X[K, n],
// W s8 (output channels x K), X u8 (K x pixels), C int32. K is padded to a multiple of 4 (zeros in
// W), and the packed layouts keep 4 consecutive k of one row or column together, the operand of one
// vpdpbusd lane:
//   W: panels of MR channels; per group of 4 k, MR x 4 bytes (channel-major). Rows past m are zero.
//   X: panels of NR pixels; per group of 4 k, NR x 4 bytes (pixel-major), each x - activationOffset.
//      Columns past n are junk and their results are never stored.
namespace kiln::qgemm {

// The tile shapes, shared by the micro-kernels and the packers. NR is a multiple of 16 (the
// packers interleave 16 pixels at a time).
constexpr int kMrScalar = 4, kNrScalar = 16;
constexpr int kMrAvx2 = 4, kNrAvx2 = 16;
constexpr int kMrAvxVnni = 4, kNrAvxVnni = 16;
constexpr int kMrAvx512Vnni = 8, kNrAvx512Vnni = 48;
constexpr int kMaxMr = 8, kMaxNr = 48;

// What every output of one convolution goes through after its accumulation.
struct QEpilogue {
  enum class Output { Int32, Float, U8 };
  Output output = Output::U8;
  const int32_t* compensation = nullptr;  // per channel: (activationOffset - x_zp) * sum(w_q), added to the raw sums
  const float* scale = nullptr;           // per channel: x_scale * w_scale_c
  const float* bias = nullptr;            // per channel (zeros when the convolution has none)
  Epilogue act;
  float yInvScale = 1.f, yZeroPoint = 0.f;  // U8: q = clamp(round(v * yInvScale + yZeroPoint))
  bool residual = false;
  float rScale = 1.f;
  int32_t rZeroPoint = 0;
};

// One MR x NR tile's accumulators and where its m x n valid outputs go.
struct QTile {
  const int32_t* acc = nullptr;  // raw sums (no compensation), MR rows of NR
  int m = 0, n = 0;
  int64_t channel = 0;           // the tile's first output channel
  void* y = nullptr;             // its first output (int32, float or u8 as QEpilogue::output)
  int64_t ldy = 0;               // elements from one channel's row to the next
  const uint8_t* residual = nullptr;  // like y, u8, when QEpilogue::residual
};

// acc[MR x NR] = one W panel x one X panel over kGroups groups of 4 k.
using MicroKernelFn = void (*)(const int8_t* w, const uint8_t* x, int64_t kGroups, int32_t* acc);
using EpilogueFn = void (*)(const QEpilogue& e, const QTile& tile);
// Both in one: the tile's sums go from registers through the epilogue (tile.acc unused).
using TileFn = void (*)(const int8_t* w, const uint8_t* x, int64_t kGroups, const QEpilogue& e, const QTile& tile);

struct QGemmKernel {
  Int8Path path;
  int mr, nr;
  // What the input packing subtracts from every activation (0, or 128: the packed byte x ^ 0x80 is
  // x - 128 as s8); the raw sums are sum((x - offset) * w) and the compensation adds
  // (offset - x_zp) * sum(w) back.
  int32_t activationOffset;
  MicroKernelFn micro;
  EpilogueFn epilogue;
  TileFn tile = nullptr;  // null: micro, then epilogue
};

// The kernel of a path; the caller must have checked int8PathSupported(path).
const QGemmKernel& qgemmKernel(Int8Path path);

namespace detail {
void microScalar(const int8_t* w, const uint8_t* x, int64_t kGroups, int32_t* acc);
void epilogueScalar(const QEpilogue& e, const QTile& tile);
void microAvx2(const int8_t* w, const uint8_t* x, int64_t kGroups, int32_t* acc);
void epilogueAvx2(const QEpilogue& e, const QTile& tile);  // NR 16
void tileAvx2(const int8_t* w, const uint8_t* x, int64_t kGroups, const QEpilogue& e, const QTile& tile);
void microAvxVnni(const int8_t* w, const uint8_t* x, int64_t kGroups, int32_t* acc);
void microAvx512Vnni(const int8_t* w, const uint8_t* x, int64_t kGroups, int32_t* acc);
void epilogueAvx512(const QEpilogue& e, const QTile& tile);  // NR 48
}  // namespace detail

}  // namespace kiln::qgemm
