#include "kernels/blocked_bottleneck.h"

#include <algorithm>
#include <stdexcept>

namespace kiln::blocked {

namespace {
const BottleneckWeights& checked(const BottleneckWeights& w) {
  const ConvGeometry& g = w.depthwise;
  const bool fed = w.expand || w.stem;
  if (w.cin <= 0 || w.cout <= 0 || g.cin <= 0 || (!fed && g.cin != w.cin) || (w.expand && w.stem) || !w.project ||
      (w.stem && (w.stemGeometry.cin != w.cin || w.stemGeometry.cout != g.cin)))
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
      stem_(w.stem ? std::make_unique<DirectBlocked>(isa, w.stemGeometry, w.stem, w.stemBias, w.stemEpilogue) : nullptr),
      depthwise_(isa, w.depthwise, w.depthwiseWeights, w.depthwiseBias, w.depthwiseEpilogue),
      project_(isa, mid_, w.cout, w.project, w.projectBias, w.projectEpilogue) {}

// One thread's rows: the ring of kh expanded input rows or stem output rows (with either), a
// depthwise output row, each [blocks(mid)][width][16], then the stem's row scratch.
size_t BottleneckBlocked::ringFloats(int64_t w) const {
  return expand_ || stem_ ? static_cast<size_t>(depthwise_.geometry().kh * blocks(mid_) * midW(w) * kBlock) : 0;
}

size_t BottleneckBlocked::stemScratchFloats() const {
  return stem_ ? (stem_->rowScratchBytes() / sizeof(float) + 15) / 16 * 16 : 0;
}

size_t BottleneckBlocked::rowScratchFloats(int64_t w) const {
  const size_t rows = ringFloats(w) + static_cast<size_t>(blocks(mid_) * depthwise_.geometry().outW(midW(w)) * kBlock);
  return (rows + 15) / 16 * 16 + stemScratchFloats();
}

size_t BottleneckBlocked::workspaceBytes(int64_t batch, int64_t h, int64_t w, int threads) const {
  const ConvGeometry& g = depthwise_.geometry();
  if (fused_) return static_cast<size_t>(std::max(threads, 1)) * rowScratchFloats(w) * sizeof(float);
  const int64_t mh = midH(h), mw = midW(w), expanded = expand_ || stem_ ? mh * mw : 0;
  const size_t between = static_cast<size_t>(std::max<int64_t>(batch, 1) * blocks(mid_) * (expanded + g.outH(mh) * g.outW(mw)) * kBlock);
  return between * sizeof(float) + (stem_ ? stem_->workspaceBytes(threads) : 0);
}

void BottleneckBlocked::run(const float* x, int64_t batch, int64_t h, int64_t w, const float* residual, float* y,
                            void* workspace, ThreadPool& pool) const {
  const ConvGeometry& g = depthwise_.geometry();
  if (midH(h) <= 0 || midW(w) <= 0 || g.outH(midH(h)) <= 0 || g.outW(midW(w)) <= 0)
    throw std::invalid_argument("blocked bottleneck: a kernel does not fit in its padded input");
  if (batch <= 0) return;
  if (fused_) runFused(x, batch, h, w, residual, y, static_cast<float*>(workspace), pool);
  else runLayers(x, batch, h, w, residual, y, static_cast<float*>(workspace), pool);
}

void BottleneckBlocked::runLayers(const float* x, int64_t batch, int64_t h, int64_t w, const float* residual, float* y,
                                  float* workspace, ThreadPool& pool) const {
  const ConvGeometry& g = depthwise_.geometry();
  const int64_t mh = midH(h), mw = midW(w);
  const bool fed = expand_ || stem_;
  float* expanded = workspace;
  float* filtered = fed ? expanded + batch * blocks(mid_) * mh * mw * kBlock : workspace;
  if (expand_) expand_->run(x, batch, h * w, nullptr, expanded, pool);
  if (stem_) stem_->run(x, batch, h, w, expanded, filtered + batch * blocks(mid_) * g.outH(mh) * g.outW(mw) * kBlock, pool);
  depthwise_.run(fed ? expanded : x, batch, mh, mw, filtered, pool);
  project_.run(filtered, batch, g.outH(mh) * g.outW(mw), residual, y, pool);
}

// A task is a band of output rows of one image: whole images when there are enough for two per
// thread, else bands of at least four rows (each band expands the rows its window shares with the
// one before again).
void BottleneckBlocked::runFused(const float* x, int64_t batch, int64_t h, int64_t w, const float* residual, float* y,
                                 float* workspace, ThreadPool& pool) const {
  const ConvGeometry& g = depthwise_.geometry();
  const int64_t mh = midH(h), mw = midW(w), oh = g.outH(mh), ow = g.outW(mw);
  const int64_t mid = blocks(mid_), inBlocks = blocks(cin_), outBlocks = blocks(cout_);
  const int64_t wanted = std::clamp<int64_t>((2 * pool.size() + batch - 1) / batch, 1, std::max<int64_t>(oh / 4, 1));
  const int64_t perBand = (oh + wanted - 1) / wanted, bands = (oh + perBand - 1) / perBand;
  const size_t scratch = rowScratchFloats(w), ring = ringFloats(w);
  const size_t stemScratchAt = scratch - stemScratchFloats();
  pool.parallelFor(batch * bands, [&](int64_t task, int thread) {
    const int64_t b = task / bands, oy0 = task % bands * perBand, oy1 = std::min(oh, oy0 + perBand);
    float* rows = workspace + thread * scratch;
    float* filtered = rows + ring;
    // The block's input image: blocked, or NCHW for the stem.
    const float* image = x + b * (stem_ ? cin_ : inBlocks * kBlock) * h * w;
    const float* window[kMaxDepthwiseRows];
    int64_t next = 0;  // the first depthwise input row not yet in the ring
    for (int64_t oy = oy0; oy < oy1; ++oy) {
      const int64_t iy0 = oy * g.strideH - g.padTop;
      for (next = std::max({next, iy0, int64_t{0}}); ring && next < std::min(mh, iy0 + g.kh); ++next) {
        float* slot = rows + next % g.kh * mid * mw * kBlock;
        if (stem_) stem_->row(RowSource::image(image, h, w, 1), next, slot, mw * kBlock, rows + stemScratchAt);
        else expand_->runPixels(image + next * w * kBlock, h * w * kBlock, w, nullptr, slot, w * kBlock);
      }
      for (int64_t block = 0; block < mid; ++block) {
        for (int64_t ky = 0; ky < g.kh; ++ky) {
          const int64_t iy = iy0 + ky;
          if (iy < 0 || iy >= mh) window[ky] = nullptr;
          else window[ky] = ring ? rows + (iy % g.kh * mid + block) * mw * kBlock : image + (block * h + iy) * w * kBlock;
        }
        depthwise_.row(window, mw, block, filtered + block * ow * kBlock);
      }
      const int64_t at = (b * outBlocks * oh + oy) * ow * kBlock;
      project_.runPixels(filtered, ow * kBlock, ow, residual ? residual + at : nullptr, y + at, oh * ow * kBlock);
    }
  });
}

}  // namespace kiln::blocked
