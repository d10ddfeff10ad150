#include "kernels/yolo_head.h"

#include <algorithm>
#include <stdexcept>

#include "kernels/gemm_pack.h"
#include "kernels/int_math.h"

namespace kiln {

YoloHead::YoloHead(Isa isa, int64_t cin, int64_t anchors, int64_t outputs, const float* weights, const float* bias,
                   bool blockedInput)
    : gemm_(gemm::gemmKernel(isa)), cin_(cin), anchors_(anchors), outputs_(outputs), k_(cin + 1) {
  if (cin < 1 || anchors < 1 || outputs < 5 || !weights) throw std::invalid_argument("yolo head: invalid geometry");
  if (blockedInput) {
    Epilogue sigmoid;
    sigmoid.act = Activation::Sigmoid;
    blocked_ = std::make_unique<blocked::PointwiseBlocked>(isa, cin, anchors * outputs, weights, bias, sigmoid);
    return;
  }
  const int64_t nr = gemm_.nr;
  bPanels_ = ceilDiv(outputs, nr);
  bPanelStride_ = k_ * nr;
  packedB_ = allocAlignedFloats(anchors * bPanels_ * bPanelStride_);
  for (int64_t a = 0; a < anchors; ++a)
    gemm::packFiltersTransposed(weights + a * outputs * cin, bias ? bias + a * outputs : nullptr, outputs, cin, nr,
                                packedB_.get() + a * bPanels_ * bPanelStride_);
}

int64_t YoloHead::blockPixels() const { return gemm_.mr * 16; }

// With a blocked input: pixels per task, and the floats of one task's scratch (their values as
// blocked pixels).
constexpr int64_t kBlockedPixels = 24;
static int64_t blockedScratch(int64_t values) {
  return kBlockedPixels * blocked::blocks(values) * blocked::kBlock;
}

size_t YoloHead::workspaceBytes(int threads) const {
  const int64_t perThread = blocked_ ? blockedScratch(anchors_ * outputs_) : blockPixels() * k_;
  return static_cast<size_t>(perThread) * sizeof(float) * static_cast<size_t>(std::max(threads, 1));
}

void YoloHead::decode(float* cell, const float* grid, const float* anchor, float stride) const {
  cell[0] = (2.f * cell[0] + grid[0]) * stride;
  cell[1] = (2.f * cell[1] + grid[1]) * stride;
  cell[2] = 4.f * cell[2] * cell[2] * anchor[0];
  cell[3] = 4.f * cell[3] * cell[3] * anchor[1];
}

void YoloHead::runBlocked(const float* x, int64_t batch, int64_t plane, const float* grid, const float* anchor,
                          float stride, float* y, float* workspace, ThreadPool& pool) const {
  constexpr int64_t kBlock = blocked::kBlock;
  const int64_t values = anchors_ * outputs_, inBlocks = blocked::blocks(cin_);
  const int64_t chunks = ceilDiv(plane, kBlockedPixels);
  pool.parallelFor(batch * chunks, [&](int64_t task, int thread) {
    const int64_t b = task / chunks, p0 = task % chunks * kBlockedPixels, m = std::min(kBlockedPixels, plane - p0);
    float* tile = workspace + thread * blockedScratch(values);
    blocked_->runPixels(x + (b * inBlocks * plane + p0) * kBlock, plane * kBlock, m, nullptr, tile, kBlockedPixels * kBlock);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t a = 0; a < anchors_; ++a) {
        const int64_t cell = a * plane + p0 + i;
        float* out = y + (b * anchors_ * plane + cell) * outputs_;
        // The cell's sigmoids, a run from each 16-lane block line they span, then its box.
        for (int64_t v = a * outputs_, end = v + outputs_; v < end;) {
          const int64_t run = std::min(kBlock - v % kBlock, end - v);
          const float* line = tile + (v / kBlock * kBlockedPixels + i) * kBlock + v % kBlock;
          std::copy(line, line + run, out + v - a * outputs_);
          v += run;
        }
        decode(out, grid + 2 * cell, anchor + 2 * cell, stride);
      }
  });
}

void YoloHead::run(const float* x, int64_t batch, int64_t h, int64_t w, const float* grid, const float* anchor, float stride,
                   float* y, void* workspace, ThreadPool& pool) const {
  if (blocked_) return runBlocked(x, batch, h * w, grid, anchor, stride, y, static_cast<float*>(workspace), pool);
  const int64_t plane = h * w, mr = gemm_.mr, block = blockPixels();
  const int64_t blocks = ceilDiv(plane, block), tasks = batch * blocks;
  if (tasks <= 0) return;
  Epilogue sigmoid;
  sigmoid.act = Activation::Sigmoid;
  // A task packs its pixels once and runs every anchor's GEMM on them.
  pool.parallelFor(tasks, [&](int64_t task, int thread) {
    const int64_t blk = task % blocks, b = task / blocks;
    const int64_t p0 = blk * block, m = std::min(block, plane - p0);
    // A = X^T for pixels [p0, p0 + m), with the ones row for the bias.
    float* packedA = static_cast<float*>(workspace) + block * k_ * thread;
    gemm::packPixelsTransposed(x + b * cin_ * plane + p0, plane, cin_, m, mr, packedA);
    for (int64_t a = 0; a < anchors_; ++a) {
      const int64_t cell0 = a * plane + p0;
      float* c = y + (b * anchors_ * plane + cell0) * outputs_;
      gemm::MacroTile t;
      t.a = packedA;
      t.aPanelStride = k_ * mr;
      t.b = packedB_.get() + a * bPanels_ * bPanelStride_;
      t.bPanelStride = bPanelStride_;
      t.c = c;
      t.ldc = outputs_;
      t.m = m;
      t.n = outputs_;
      t.epilogue = sigmoid;
      gemm::macroOverK(gemm_, t, k_, gemm_.nr);
      for (int64_t i = 0; i < m; ++i) {
        float* cell = c + i * outputs_;
        decode(cell, grid + 2 * (cell0 + i), anchor + 2 * (cell0 + i), stride);
      }
    }
  });
}

}  // namespace kiln
