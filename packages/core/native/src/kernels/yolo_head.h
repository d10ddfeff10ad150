#pragma once
#include <cstdint>

#include <memory>

#include "kernels/aligned_floats.h"
#include "kernels/blocked_conv.h"
#include "kernels/gemm_kernel.h"
#include "runtime/cpu_features.h"
#include "runtime/thread_pool.h"

namespace kiln {

// One level of YOLOv5's detection head, its 1x1 convolution and its decode in one pass. The
// convolution is computed transposed, Y^T[pixel, value] = X^T[pixel, cin] x W^T[cin, value] per
// anchor, on the packed SGEMM micro-kernels: a row of that product is one decoded cell's `outputs`
// consecutive values, so the GEMM writes the final [N, A·H·W, K] layout in place (ldc = K) with
// the sigmoid as its epilogue, and only each cell's four box values get a second look. The bias
// rides along as one more K row of ones.
//
// From a channel-blocked input the convolution runs on the blocked 1x1 tiles instead, all anchors
// at once, a few pixels at a time into a scratch that each pixel's cells are copied out of.
//
// For cell c = (a·H + i)·W + j with s = sigmoid(conv(x)[n, a·K + k, i, j]):
//   k < 2: (2s + grid[2c + k])·stride;   k < 4: (2s)²·anchor[2c + k − 2];   else s.
class YoloHead {
 public:
  // weights: [anchors·outputs, cin] (the 1x1 filters); bias: anchors·outputs values, or null.
  // blockedInput: x is channel-blocked, [batch, ceil(cin / 16), h, w, 16].
  YoloHead(Isa isa, int64_t cin, int64_t anchors, int64_t outputs, const float* weights, const float* bias,
           bool blockedInput = false);
  // Scratch run() needs with this many threads.
  size_t workspaceBytes(int threads) const;
  // x: [batch, cin, h, w]; grid, anchor: 2 floats per cell (anchors·h·w cells); y: [batch,
  // anchors·h·w, outputs]. workspace: workspaceBytes() bytes, 64-byte aligned.
  void run(const float* x, int64_t batch, int64_t h, int64_t w, const float* grid, const float* anchor, float stride,
           float* y, void* workspace, ThreadPool& pool) const;

 private:
  // Pixels one task packs and multiplies: a multiple of MR.
  int64_t blockPixels() const;
  void runBlocked(const float* x, int64_t batch, int64_t plane, const float* grid, const float* anchor, float stride,
                  float* y, float* workspace, ThreadPool& pool) const;
  // A cell's box (its first four values) from their sigmoids in place, with the grid and the anchor.
  void decode(float* cell, const float* grid, const float* anchor, float stride) const;

  const gemm::GemmKernel& gemm_;
  int64_t cin_, anchors_, outputs_, k_;
  std::unique_ptr<blocked::PointwiseBlocked> blocked_;  // with a blocked input: conv + sigmoid
  int64_t bPanels_ = 0, bPanelStride_ = 0;
  AlignedFloats packedB_;  // per anchor: bPanels_ panels of k_ x NR, bPanelStride_ floats apart
};

}  // namespace kiln
