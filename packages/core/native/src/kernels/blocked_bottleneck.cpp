#include "kernels/blocked_bottleneck.h"

#include <algorithm>
#include <stdexcept>

namespace kiln::blocked {

namespace {
const BottleneckWeights& checked(const BottleneckWeights& w) {
  const ConvGeometry& g = w.depthwise;
  if (w.cin <= 0 || w.cout <= 0 || g.cin <= 0 || (!w.expand && g.cin != w.cin) || !w.project)
    throw std::invalid_argument("blocked bottleneck: bad channels or weights");
  return w;
}
}  // namespace

BottleneckBlocked::BottleneckBlocked(Isa isa, const BottleneckWeights& w, bool fused)
    : cin_(checked(w).cin),
      mid_(w.depthwise.cin),
      cout_(w.cout),
      fused_(fused),
      expand_(w.expand ? std::make_unique<PointwiseBlocked>(isa, w.cin, mid_, w.expand, w.expandBias, w.expandEpilogue)
                       : nullptr),
      depthwise_(isa, w.depthwise, w.depthwiseWeights, w.depthwiseBias, w.depthwiseEpilogue),
      project_(isa, mid_, w.cout, w.project, w.projectBias, w.projectEpilogue) {}

// One thread's rows: the ring of kh expanded input rows (with an expansion), then a depthwise
// output row, each [blocks(mid)][width][16].
size_t BottleneckBlocked::rowScratchFloats(int64_t w) const {
  const ConvGeometry& g = depthwise_.geometry();
  const int64_t ring = expand_ ? g.kh * blocks(mid_) * w * kBlock : 0;
  return static_cast<size_t>((ring + blocks(mid_) * g.outW(w) * kBlock + 15) / 16 * 16);
}

size_t BottleneckBlocked::workspaceBytes(int64_t batch, int64_t h, int64_t w, int threads) const {
  const ConvGeometry& g = depthwise_.geometry();
  if (fused_) return static_cast<size_t>(std::max(threads, 1)) * rowScratchFloats(w) * sizeof(float);
  const int64_t expanded = expand_ ? h * w : 0;
  return static_cast<size_t>(std::max<int64_t>(batch, 1) * blocks(mid_) * (expanded + g.outH(h) * g.outW(w)) * kBlock) *
         sizeof(float);
}

void BottleneckBlocked::run(const float* x, int64_t batch, int64_t h, int64_t w, const float* residual, float* y,
                            void* workspace, ThreadPool& pool) const {
  const ConvGeometry& g = depthwise_.geometry();
  if (g.outH(h) <= 0 || g.outW(w) <= 0)
    throw std::invalid_argument("blocked bottleneck: the depthwise kernel does not fit in the padded input");
  if (batch <= 0) return;
  if (fused_) runFused(x, batch, h, w, residual, y, static_cast<float*>(workspace), pool);
  else runLayers(x, batch, h, w, residual, y, static_cast<float*>(workspace), pool);
}

void BottleneckBlocked::runLayers(const float* x, int64_t batch, int64_t h, int64_t w, const float* residual, float* y,
                                  float* workspace, ThreadPool& pool) const {
  const ConvGeometry& g = depthwise_.geometry();
  float* expanded = workspace;
  float* filtered = expand_ ? expanded + batch * blocks(mid_) * h * w * kBlock : workspace;
  if (expand_) expand_->run(x, batch, h * w, nullptr, expanded, pool);
  depthwise_.run(expand_ ? expanded : x, batch, h, w, filtered, pool);
  project_.run(filtered, batch, g.outH(h) * g.outW(w), residual, y, pool);
}

// A task is a band of output rows of one image: whole images when there are enough for two per
// thread, else bands of at least four rows (each band expands the rows its window shares with the
// one before again).
void BottleneckBlocked::runFused(const float* x, int64_t batch, int64_t h, int64_t w, const float* residual, float* y,
                                 float* workspace, ThreadPool& pool) const {
  const ConvGeometry& g = depthwise_.geometry();
  const int64_t oh = g.outH(h), ow = g.outW(w), mid = blocks(mid_), inBlocks = blocks(cin_), outBlocks = blocks(cout_);
  const int64_t wanted = std::clamp<int64_t>((2 * pool.size() + batch - 1) / batch, 1, std::max<int64_t>(oh / 4, 1));
  const int64_t perBand = (oh + wanted - 1) / wanted, bands = (oh + perBand - 1) / perBand;
  const size_t scratch = rowScratchFloats(w);
  const int64_t ringFloats = expand_ ? g.kh * mid * w * kBlock : 0;
  pool.parallelFor(batch * bands, [&](int64_t task, int thread) {
    const int64_t b = task / bands, oy0 = task % bands * perBand, oy1 = std::min(oh, oy0 + perBand);
    float* ring = workspace + thread * scratch;
    float* filtered = ring + ringFloats;
    const float* image = x + b * inBlocks * h * w * kBlock;
    const float* window[kMaxDepthwiseRows];
    int64_t next = 0;  // the first input row not yet expanded
    for (int64_t oy = oy0; oy < oy1; ++oy) {
      const int64_t iy0 = oy * g.strideH - g.padTop;
      if (expand_)
        for (next = std::max({next, iy0, int64_t{0}}); next < std::min(h, iy0 + g.kh); ++next)
          expand_->runPixels(image + next * w * kBlock, h * w * kBlock, w, nullptr, ring + next % g.kh * mid * w * kBlock,
                             w * kBlock);
      for (int64_t block = 0; block < mid; ++block) {
        for (int64_t ky = 0; ky < g.kh; ++ky) {
          const int64_t iy = iy0 + ky;
          if (iy < 0 || iy >= h) window[ky] = nullptr;
          else window[ky] = expand_ ? ring + (iy % g.kh * mid + block) * w * kBlock : image + (block * h + iy) * w * kBlock;
        }
        depthwise_.row(window, w, block, filtered + block * ow * kBlock);
      }
      const int64_t at = (b * outBlocks * oh + oy) * ow * kBlock;
      project_.runPixels(filtered, ow * kBlock, ow, residual ? residual + at : nullptr, y + at, oh * ow * kBlock);
    }
  });
}

}  // namespace kiln::blocked
