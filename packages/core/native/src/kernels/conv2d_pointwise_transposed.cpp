#include "kernels/conv2d_pointwise_transposed.h"

#include <algorithm>
#include <stdexcept>

#include "kernels/activation_apply.h"
#include "kernels/aligned_floats.h"
#include "kernels/gemm_kernel.h"
#include "kernels/gemm_pack.h"
#include "kernels/int_math.h"

namespace kiln {
namespace {

constexpr size_t kAlign = 64;

// Tasks are (batch item, block of pixels, share of the output channels). A's panels are MR pixels
// of every input channel plus a row of ones, which meets B's bias row; C is the task's own
// [pixels x channels] buffer, a block of channels at a time.
class Conv2dPointwiseTransposed final : public Conv2dKernel {
 public:
  Conv2dPointwiseTransposed(Isa isa, const ConvGeometry& g, const float* weights, const float* bias, const Epilogue& epilogue)
      : isa_(isa), gemm_(gemm::gemmKernel(isa)), cin_(g.cin), cout_(g.cout), k_(g.cin + 1), epilogue_(epilogue) {
    const int64_t nr = gemm_.nr;
    panels_ = ceilDiv(cout_, nr);
    panelStride_ = k_ * nr;
    packedB_ = allocAlignedFloats(panels_ * panelStride_);
    gemm::packFiltersTransposed(weights, bias, cout_, cin_, static_cast<int>(nr), packedB_.get());
  }

  size_t workspaceBytes(int64_t, int64_t, int64_t, int threads) const override {
    return static_cast<size_t>(std::max(threads, 1)) * threadBytes();
  }

  using Conv2dKernel::run;
  void run(const float* x, int64_t batch, int64_t h, int64_t w, const float* residual, float* y, void* workspace,
           ThreadPool& pool) const override {
    const int64_t plane = h * w, mr = gemm_.mr;
    if (batch <= 0 || plane <= 0) return;
    // Each task packs its pixels once and runs over its share of the output channels: as many
    // shares as it takes to give every thread a task, in whole panels.
    const int64_t pixelBlocks = ceilDiv(plane, kPixels), outer = batch * pixelBlocks;
    const int64_t shares = std::max<int64_t>(1, std::min(panels_, ceilDiv(pool.size(), outer)));
    const int64_t tasks = outer * shares;
    // An activation after the residual is applied once the residual is in.
    const bool actLater = residual && epilogue_.afterResidual && epilogue_.act != Activation::None;
    Epilogue inKernel = epilogue_;
    if (actLater) inKernel.act = Activation::None;
    pool.parallelFor(tasks, [&](int64_t task, int thread) {
      const int64_t share = task % shares, pb = task / shares % pixelBlocks, b = task / (shares * pixelBlocks);
      const int64_t p0 = pb * kPixels, m = std::min(kPixels, plane - p0);
      const int64_t first = std::min(cout_, panels_ * share / shares * gemm_.nr);
      const int64_t last = std::min(cout_, panels_ * (share + 1) / shares * gemm_.nr);
      float* packedA = reinterpret_cast<float*>(static_cast<char*>(workspace) + threadBytes() * thread);
      float* c = packedA + aFloats();
      gemm::packPixelsTransposed(x + b * cin_ * plane + p0, plane, cin_, m, static_cast<int>(mr), packedA);

      gemm::MacroTile t;
      t.a = packedA;
      t.aPanelStride = k_ * mr;
      t.bPanelStride = panelStride_;
      t.c = c;
      t.ldc = channelBlock();
      t.m = m;
      t.epilogue = inKernel;
      for (int64_t c0 = first; c0 < last; c0 += channelBlock()) {
        const int64_t n = std::min(channelBlock(), last - c0);
        t.n = n;
        t.b = packedB_.get() + c0 / gemm_.nr * panelStride_;
        gemm::macroOverK(gemm_, t, k_, gemm_.nr);
        // C^T into the channels' planes, the residual added on the way.
        for (int64_t j = 0; j < n; ++j) {
          const int64_t at = (b * cout_ + c0 + j) * plane + p0;
          float* out = y + at;
          const float* from = c + j;
          if (residual) {
            const float* res = residual + at;
            for (int64_t i = 0; i < m; ++i) out[i] = from[i * t.ldc] + res[i];
            if (actLater) applyActivation(isa_, out, m, epilogue_);
          } else {
            for (int64_t i = 0; i < m; ++i) out[i] = from[i * t.ldc];
          }
        }
      }
    });
  }

 private:
  static constexpr int64_t kPixels = 96;  // a multiple of every ISA's MR (4, 6, 12)
  int64_t channelBlock() const { return std::min(roundUp(cout_, gemm_.nr), 8 * static_cast<int64_t>(gemm_.nr)); }
  int64_t aFloats() const { return roundUp(kPixels * k_, static_cast<int64_t>(kAlign / sizeof(float))); }
  size_t threadBytes() const { return static_cast<size_t>(aFloats() + kPixels * channelBlock()) * sizeof(float); }

  Isa isa_;
  const gemm::GemmKernel& gemm_;
  int64_t cin_, cout_, k_;
  Epilogue epilogue_;
  int64_t panels_ = 0, panelStride_ = 0;
  AlignedFloats packedB_;
};

}  // namespace

bool isPointwiseTransposed(const ConvGeometry& g) {
  return g.groups == 1 && g.kh == 1 && g.kw == 1 && g.strideH == 1 && g.strideW == 1 && g.padTop == 0 && g.padLeft == 0 &&
         g.padBottom == 0 && g.padRight == 0 && g.dilationH == 1 && g.dilationW == 1;
}

std::unique_ptr<Conv2dKernel> makeConv2dPointwiseTransposed(Isa isa, const ConvGeometry& geometry, const float* weights,
                                                            const float* bias, const Epilogue& epilogue) {
  if (!isPointwiseTransposed(geometry))
    throw std::invalid_argument("conv2d: pointwise-transposed needs a 1x1 kernel, stride 1, no padding, one group");
  return std::make_unique<Conv2dPointwiseTransposed>(isa, geometry, weights, bias, epilogue);
}

}  // namespace kiln
