#pragma once
#include <cstdint>

#include "kernels/activation.h"
#include "runtime/cpu_features.h"

// The Winograd F(4x4, 3x3) transforms of a 3x3 stride-1 convolution (Lavin & Gray, points 0, ±1,
// ±2, ∞). Output tile (ty, tx) of a batch item covers output rows [4 ty, 4 ty + 4) and columns
// [4 tx, 4 tx + 4) and reads the 6x6 input patch at padded rows 4 ty - padTop + [0, 6) and columns
// 4 tx - padLeft + [0, 6) (zero outside the input). Its 36 transform points xi = 6 i + j each
// multiply a [cout x cin] matrix U[xi] = (G g G^T)[i][j] with the [cin x tiles] matrix
// V[xi] = (B^T d B)[i][j], giving M[xi]; the outputs are A^T M A.
namespace kiln::winograd {

constexpr int kPoints = 36;

// Consecutive tiles of one batch item, in row-major tile order: local tile t is tile first + t.
struct TileBlock {
  int64_t tilesW;  // tiles per tile row
  int64_t first, count;
};

// One block's V: v[xi * pointStride + c * stride + t] for local tiles t < block.count, and finite
// filler in the columns up to stride.
struct InputArgs {
  const float* x;  // the batch item's input [cin, h, w]
  int64_t cin, h, w, padTop, padLeft;
  TileBlock block;
  float* v;
  int64_t pointStride, stride;  // pointStride >= cin * stride, stride >= block.count
};

// One block's outputs for channels [co0, co0 + channels): m[xi * pointStride + i * stride + t] is
// M[xi] for channel co0 + i and local tile t, readable up to lanes floats past its last row.
// y = act(A^T M A + bias) + residual, stored only inside the [outH, outW] map.
struct OutputArgs {
  const float* m;
  int64_t pointStride, stride;
  int64_t co0, channels;
  const float* bias;  // indexed by absolute channel, or null
  Epilogue epilogue;
  float* y;               // the batch item's output [cout, outH, outW]
  const float* residual;  // shaped like y, or null
  int64_t outH, outW;
  TileBlock block;
};

struct Transforms {
  int lanes;  // tiles per vector
  void (*input)(const InputArgs& args);
  void (*output)(const OutputArgs& args);
};

const Transforms& transformsScalar();  // 4 lanes (the baseline's SSE2 vectors)
const Transforms& transformsAvx2();    // 8 lanes
const Transforms& transformsAvx512();  // 16 lanes
// The transforms for an ISA; the caller must have checked cpuSupports(isa).
const Transforms& transforms(Isa isa);

// u[(xi * cout + co) * cin + ci] = (G g G^T) for the 3x3 kernel g of weights [cout, cin, 3, 3],
// computed in double precision.
void transformWeights(const float* weights, int64_t cout, int64_t cin, float* u);

}  // namespace kiln::winograd
