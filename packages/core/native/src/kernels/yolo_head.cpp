#include "kernels/yolo_head.h"

#include <algorithm>
#include <stdexcept>

#include "kernels/gemm_pack.h"
#include "kernels/int_math.h"

namespace kiln {

YoloHead::YoloHead(Isa isa, int64_t cin, int64_t anchors, int64_t outputs, const float* weights, const float* bias,
                   bool blockedInput)
    : gemm_(gemm::gemmKernel(isa)), cin_(cin), anchors_(anchors), outputs_(outputs), k_(cin + 1), blockedInput_(blockedInput) {
  if (cin < 1 || anchors < 1 || outputs < 5 || !weights) throw std::invalid_argument("yolo head: invalid geometry");
  const int64_t nr = gemm_.nr;
  bPanels_ = ceilDiv(outputs, nr);
  bPanelStride_ = k_ * nr;
  packedB_ = allocAlignedFloats(anchors * bPanels_ * bPanelStride_);
  for (int64_t a = 0; a < anchors; ++a)
    gemm::packFiltersTransposed(weights + a * outputs * cin, bias ? bias + a * outputs : nullptr, outputs, cin, nr,
                                packedB_.get() + a * bPanels_ * bPanelStride_);
}

int64_t YoloHead::blockPixels() const { return gemm_.mr * 16; }

size_t YoloHead::workspaceBytes(int threads) const {
  return static_cast<size_t>(blockPixels() * k_) * sizeof(float) * static_cast<size_t>(std::max(threads, 1));
}

void YoloHead::run(const float* x, int64_t batch, int64_t h, int64_t w, const float* grid, const float* anchor, float stride,
                   float* y, void* workspace, ThreadPool& pool) const {
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
    if (blockedInput_)
      gemm::packBlockedPixelsTransposed(x + (b * ceilDiv(cin_, 16) * plane + p0) * 16, plane, cin_, m, mr, packedA);
    else
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
      // The box: centre from the grid, size from the anchor.
      for (int64_t i = 0; i < m; ++i) {
        float* cell = c + i * outputs_;
        const float* g = grid + 2 * (cell0 + i);
        const float* an = anchor + 2 * (cell0 + i);
        cell[0] = (2.f * cell[0] + g[0]) * stride;
        cell[1] = (2.f * cell[1] + g[1]) * stride;
        cell[2] = 4.f * cell[2] * cell[2] * an[0];
        cell[3] = 4.f * cell[3] * cell[3] * an[1];
      }
    }
  });
}

}  // namespace kiln
