#pragma once
#include <cstdint>
#include <memory>

#include "kernels/activation.h"
#include "kernels/aligned_floats.h"
#include "kernels/blocked_pool.h"
#include "kernels/conv2d.h"
#include "runtime/cpu_features.h"
#include "runtime/thread_pool.h"

// Convolutions over the channel-blocked layout NCHW16c: a [N, C, H, W] tensor stored as
// [N, ceil(C / 16), H, W, 16], the channels past C zero. Each pixel's 16 channels of a block are one
// 64-byte line, so a convolution reads its input as a few long streams, each input channel
// broadcast against 16 output channels in the vector lanes (a depthwise one: its taps with the
// channels in the lanes), where NCHW reads C planes side by side.
namespace kiln::blocked {

constexpr int64_t kBlock = 16;
inline int64_t blocks(int64_t channels) { return (channels + kBlock - 1) / kBlock; }

// [n, c, plane] NCHW to [n, blocks(c), plane, 16] and back, with the ISA's transposes.
void toBlocked(Isa isa, const float* x, int64_t n, int64_t c, int64_t plane, float* y, ThreadPool& pool);
void fromBlocked(Isa isa, const float* x, int64_t n, int64_t c, int64_t plane, float* y, ThreadPool& pool);

// A 1x1 convolution (stride 1, no padding, one group) between blocked tensors, the bias,
// activation and an optional blocked residual fused. Weights are [cout, cin].
class PointwiseBlocked {
 public:
  PointwiseBlocked(Isa isa, int64_t cin, int64_t cout, const float* weights, const float* bias, const Epilogue& epilogue);
  // x: [batch, blocks(cin), plane, 16]; y and residual (or null): [batch, blocks(cout), plane, 16].
  void run(const float* x, int64_t batch, int64_t plane, const float* residual, float* y, ThreadPool& pool) const;
  // `pixels` pixels on the calling thread: x's blocks of them xBlockStride floats apart, y's and the
  // residual's (or null) yBlockStride apart.
  void runPixels(const float* x, int64_t xBlockStride, int64_t pixels, const float* residual, float* y,
                 int64_t yBlockStride) const;

 private:
  // Output block group g of `pixels` pixels (as runPixels).
  void groupPixels(int64_t g, const float* x, int64_t xBlockStride, int64_t pixels, const float* residual, float* y,
                   int64_t yBlockStride) const;

  Isa isa_;
  int64_t cin_, cout_, groups_;
  Epilogue epilogue_;
  AlignedFloats filters_, bias_;
};

// A depthwise convolution (one filter per channel, dilation 1, at most kMaxDepthwiseRows rows)
// between blocked tensors, bias and activation fused. Weights are [c, 1, kh, kw].
constexpr int64_t kMaxDepthwiseRows = 64;
class DepthwiseBlocked {
 public:
  DepthwiseBlocked(Isa isa, const ConvGeometry& g, const float* weights, const float* bias, const Epilogue& epilogue);
  const ConvGeometry& geometry() const { return g_; }
  // x: [batch, blocks(c), h, w, 16]; y: [batch, blocks(c), outH(h), outW(w), 16].
  void run(const float* x, int64_t batch, int64_t h, int64_t w, float* y, ThreadPool& pool) const;
  // An output row y[outW(w)][16] of channel block `block` from the window's kh input rows of [w][16]
  // (rows[ky] null where the row lies outside the input), on the calling thread.
  void row(const float* const* rows, int64_t w, int64_t block, float* y) const;

 private:
  Isa isa_;
  ConvGeometry g_;
  Epilogue epilogue_;
  AlignedFloats filters_, bias_;
};

// Where a convolution reads its input rows: row iy of plane p (a 16-channel block, or an NCHW
// channel) at x + p * planeStride + (iy % ringRows) * rowStride, h x w pixels in all. A whole image
// has ringRows = h; a ring holds only the last ringRows rows computed, as a row-by-row producer
// writes them.
struct RowSource {
  const float* x;
  int64_t h, w, planeStride, rowStride, ringRows;
  // A whole [planes][h][w][lanes] image.
  static RowSource image(const float* x, int64_t h, int64_t w, int64_t lanes) {
    return {x, h, w, h * w * lanes, w * lanes, h};
  }
};

// A convolution with one group from an NCHW input of few channels (an image stem) to a blocked
// output, bias and activation fused: the output channels in the vector lanes, each input pixel
// broadcast from where it lies (any stride, no im2col), the tiles whose windows leave the input
// gathered with zeros. Weights are [cout, cin, kh, kw]; cin * kh * kw at most kMaxDirectK.
constexpr int64_t kMaxDirectK = 256;
class DirectBlocked {
 public:
  DirectBlocked(Isa isa, const ConvGeometry& g, const float* weights, const float* bias, const Epilogue& epilogue);
  size_t workspaceBytes(int threads) const;
  // x: [batch, cin, h, w]; y: [batch, blocks(cout), outH(h), outW(w), 16]. workspace:
  // workspaceBytes() bytes, 64-byte aligned.
  void run(const float* x, int64_t batch, int64_t h, int64_t w, float* y, void* workspace, ThreadPool& pool) const;
  const ConvGeometry& geometry() const { return g_; }
  size_t rowScratchBytes() const;  // one thread's scratch for row()
  // Output row oy of every output block from one NCHW image (lanes 1), on the calling thread: into
  // out, its blocks blockStride floats apart.
  void row(const RowSource& x, int64_t oy, float* out, int64_t blockStride, void* scratch) const;

 private:
  Isa isa_;
  ConvGeometry g_;
  int64_t k_, groups_;
  Epilogue epilogue_;
  AlignedFloats filters_, bias_;
};

// A convolution with one group between blocked tensors (any window, stride and padding), the bias,
// activation and an optional blocked residual fused: the output channels in the vector lanes, each
// input channel broadcast from its pixel, the rows outside the input skipped, the tiles at a row's
// ends read from a zero-padded copy of their columns. Weights are [cout, cin, kh, kw].
class WindowBlocked {
 public:
  // wide: tiles of fewer pixels by up to four output blocks (AVX-512 only: see hasWideTiles).
  WindowBlocked(Isa isa, const ConvGeometry& g, const float* weights, const float* bias, const Epilogue& epilogue,
                bool wide = false);
  static bool hasWideTiles(Isa isa);
  size_t workspaceBytes(int threads) const;
  // x: [batch, blocks(cin), h, w, 16]; y and residual (or null): [batch, blocks(cout), outH(h), outW(w), 16].
  // workspace: workspaceBytes() bytes, 64-byte aligned.
  void run(const float* x, int64_t batch, int64_t h, int64_t w, const float* residual, float* y, void* workspace,
           ThreadPool& pool) const;
  const ConvGeometry& geometry() const { return g_; }
  size_t rowScratchBytes() const;  // one thread's scratch for row()
  // Output row oy of every output block from one blocked image (lanes 16), on the calling thread:
  // into out, and from the residual (or null), their blocks blockStride floats apart.
  void row(const RowSource& x, int64_t oy, float* out, int64_t blockStride, const float* residual, void* scratch) const;

 private:
  int tilePixels() const;
  // Output row oy of output block group q (as row()).
  void groupRow(const RowSource& x, int64_t oy, int64_t q, float* out, int64_t blockStride, const float* residual,
                void* scratch) const;

  Isa isa_;
  ConvGeometry g_;
  bool wide_;
  int64_t groups_;
  Epilogue epilogue_;
  AlignedFloats filters_, bias_;
};

// A 3x3 convolution with one group, stride 1 and dilation 1 between blocked tensors by Winograd
// F(4x4, 3x3): per block of output tiles, the input transform (16 channels per vector), the 36
// products M[xi] = U[xi] V[xi] on the 1x1 tiles, the output transform with bias, activation and
// an optional blocked residual fused. Weights are [cout, cin, 3, 3].
class WinogradBlocked {
 public:
  WinogradBlocked(Isa isa, const ConvGeometry& g, const float* weights, const float* bias, const Epilogue& epilogue);
  size_t workspaceBytes(int64_t batch, int64_t h, int64_t w, int threads) const;
  // x: [batch, blocks(cin), h, w, 16]; y and residual (or null): [batch, blocks(cout), outH(h), outW(w), 16].
  // workspace: workspaceBytes() bytes, 64-byte aligned.
  void run(const float* x, int64_t batch, int64_t h, int64_t w, const float* residual, float* y, void* workspace,
           ThreadPool& pool) const;

 private:
  struct Plan {
    int64_t tilesW, tiles, blockTiles, blocks, chunks, perChunk, vPoint, mPoint;
  };
  Plan plan(int64_t batch, int64_t h, int64_t w, int threads) const;

  Isa isa_;
  ConvGeometry g_;
  int64_t groups_, pointFloats_;  // output block groups; filter floats per transform point
  Epilogue epilogue_;
  AlignedFloats filters_, bias_;
};

namespace detail {
// One 16-channel input block at one tap of a window tile: where its first pixel lies in the input
// and where its [16][blocks][16] filters lie.
struct Tap {
  int64_t x, filter;
};

// Where a tile stores: out[b * blockStride + r * 16] for block b and pixel r, plus the residual
// laid out the same way when it is not null, clamped to [lo, hi] (ReLU, Clip) before or after it
// when `clamp` is set.
struct TileOut {
  float* out;
  int64_t blockStride;
  const float* residual = nullptr;
  bool clamp = false, clampAfterResidual = false;
  float lo = 0.f, hi = 0.f;
};

// A tap tile of `pixels` output pixels (step input pixels apart; 1 or 2) of `outBlocks` blocks:
// out[b][r][16] = bias[b] + sum over taps t and lanes c of x[taps[t].x + r * step * lanes + c] *
// filters[taps[t].filter + (c * outBlocks + b) * 16] (+ the residual), lanes 16 for a blocked input
// (a tap per 16-channel block) or 1 for an NCHW one (a tap per channel).
using TapTileFn = void (*)(int pixels, int outBlocks, int step, const float* x, const Tap* taps, int64_t count,
                           const float* filters, const float* bias, const TileOut& out);

// One ISA's inner loops (blocked_conv_impl.h).
struct Kernels {
  // Output pixels [0, pixels) of `outBlocks` consecutive output blocks: out[b][p][16] = bias[b] +
  // sum over ci of x[ci / 16][p][ci % 16] * filters[ci][b][16] (+ the residual). x's blocks are
  // xBlockStride floats apart; filters are [cin][outBlocks][16]. pixels <= maxPixels.
  void (*pointwiseTile)(int pixels, int outBlocks, const float* x, int64_t cin, int64_t xBlockStride,
                        const float* filters, const float* bias, const TileOut& out);
  int maxPixels;      // pixels per pointwise tile
  int maxOutBlocks;   // output blocks per pointwise tile
  // An output row of one block: y[ox][16] over ow pixels from the window's kh input rows of
  // [w][16] (rows[ky] null where the row lies outside the input) with the filters [kh][kw][16] and
  // bias[16] (no activation).
  void (*depthwiseRow)(const float* const* rows, int64_t w, const ConvGeometry& g, const float* filters,
                       const float* bias, int64_t ow, float* y);
  TapTileFn directTile;  // lanes 1, up to maxPixels by maxOutBlocks
  TapTileFn windowTile;  // lanes 16, up to maxPixels by maxOutBlocks
  // Winograd F(4x4, 3x3) on one 16-channel block: V's 36 points (v[xi * pointStride]) for the 6x6
  // patch at input rows y0.., columns x0.. of an [h][w][16] plane, zero outside it; and a 4x4 output
  // tile ([4][4][16], bias added) from M's 36 points (m[xi * pointStride]).
  void (*winogradInput)(const float* x, int64_t h, int64_t w, int64_t y0, int64_t x0, float* v, int64_t pointStride);
  void (*winogradOutput)(const float* m, int64_t pointStride, const float* bias, float* tile);
  // Output row oy of a max pooling of one [h][w][16] plane into y[ow][16] (blocked_pool.h).
  void (*maxPoolRow)(const float* x, int64_t h, int64_t w, const PoolWindow& g, int64_t oy, float* y);
  // 16 pixels of one block: from `channels` NCHW planes (plane floats apart) at src to their 16
  // blocked pixels at dst (lanes past `channels` zero), and back.
  void (*toBlocked16)(const float* src, int64_t plane, int64_t channels, float* dst);
  void (*fromBlocked16)(const float* src, int64_t plane, int64_t channels, float* dst);
  // The wide window tile (null where the ISA has too few registers): lanes 16, up to widePixels
  // pixels by wideOutBlocks blocks.
  TapTileFn windowWideTile;
  int widePixels, wideOutBlocks;
};
const Kernels& kernelsScalar();
const Kernels& kernelsFor(Isa isa);  // the ISA's, or the baseline's for one without blocked kernels
const Kernels& kernelsAvx2();
const Kernels& kernelsAvx512();
}  // namespace detail

}  // namespace kiln::blocked
