#pragma once
#include <cstdint>
#include <memory>

#include "kernels/blocked_conv.h"

namespace kiln::blocked {

// A MobileNet inverted residual block between blocked tensors: an optional 1x1 expansion, a
// depthwise convolution and a 1x1 projection with an optional residual, each with its bias and
// activation. Weights as the convolutions' ([cmid, cin], [cmid, 1, kh, kw], [cout, cmid]). In
// place of the expansion, an image stem may feed the depthwise convolution: the block then reads
// the NCHW image the stem reads.
struct BottleneckWeights {
  int64_t cin = 0, cout = 0;
  const float* expand = nullptr;  // null: no expansion, the depthwise convolution reads the input
  const float* expandBias = nullptr;
  Epilogue expandEpilogue;
  const float* stem = nullptr;  // or a stem ([cmid, cin, kh, kw], stemGeometry), no expansion
  const float* stemBias = nullptr;
  ConvGeometry stemGeometry;
  Epilogue stemEpilogue;
  ConvGeometry depthwise;  // cin = cout = groups: the expanded channels
  const float* depthwiseWeights = nullptr;
  const float* depthwiseBias = nullptr;
  Epilogue depthwiseEpilogue;
  const float* project = nullptr;
  const float* projectBias = nullptr;
  Epilogue projectEpilogue;
};

class BottleneckBlocked {
 public:
  // fused: the block row by row, each thread expanding the input rows its depthwise window reaches
  // into a ring of kh rows and projecting each depthwise output row at once, so that the expanded
  // activations never leave the cache. Otherwise the three convolutions one after another, their
  // outputs in the workspace.
  BottleneckBlocked(Isa isa, const BottleneckWeights& w, bool fused);
  size_t workspaceBytes(int64_t batch, int64_t h, int64_t w, int threads) const;
  // x: [batch, blocks(cin), h, w, 16] (with a stem: [batch, cin, h, w]); y and residual (or null):
  // [batch, blocks(cout), oh, ow, 16] with the depthwise convolution's output size. workspace:
  // workspaceBytes() bytes, 64-byte aligned.
  void run(const float* x, int64_t batch, int64_t h, int64_t w, const float* residual, float* y, void* workspace,
           ThreadPool& pool) const;

 private:
  // The depthwise convolution's input size for an input of h x w (the stem's output, with one).
  int64_t midH(int64_t h) const { return stem_ ? stem_->geometry().outH(h) : h; }
  int64_t midW(int64_t w) const { return stem_ ? stem_->geometry().outW(w) : w; }
  size_t ringFloats(int64_t w) const;
  size_t stemScratchFloats() const;  // one thread's scratch for the stem's rows (64-byte multiple)
  size_t rowScratchFloats(int64_t w) const;
  void runFused(const float* x, int64_t batch, int64_t h, int64_t w, const float* residual, float* y, float* workspace,
                ThreadPool& pool) const;
  void runLayers(const float* x, int64_t batch, int64_t h, int64_t w, const float* residual, float* y, float* workspace,
                 ThreadPool& pool) const;

  int64_t cin_, mid_, cout_;
  bool fused_;
  std::unique_ptr<PointwiseBlocked> expand_;
  std::unique_ptr<DirectBlocked> stem_;
  DepthwiseBlocked depthwise_;
  PointwiseBlocked project_;
};

}  // namespace kiln::blocked
