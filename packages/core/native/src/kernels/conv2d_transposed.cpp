#include "kernels/conv2d_transposed.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "kernels/activation_apply.h"
#include "kernels/aligned_floats.h"
#include "kernels/gemm_kernel.h"
#include "kernels/gemm_pack.h"
#include "kernels/int_math.h"

namespace kiln {
namespace {

constexpr size_t kAlign = 64;

// A's panels for a window: MR output pixels [p0, p0 + m) of an ow-wide map, each row k = (channel,
// ky, kx) of K = cin kh kw, read from the input zero-padded into hp x wp planes; then a row of ones.
void packWindowsTransposed(const ConvGeometry& g, const float* padded, int64_t hp, int64_t wp, int64_t ow,
                           int64_t p0, int64_t m, int mr, float* dst) {
  const int64_t taps = g.kh * g.kw, k = g.cin * taps + 1, panels = (m + mr - 1) / mr;
  int64_t base[64];
  for (int64_t p = 0; p < panels; ++p) {
    const int64_t rows = std::min<int64_t>(mr, m - p * mr);
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t q = p0 + p * mr + r, oy = q / ow, ox = q % ow;
      base[r] = oy * g.strideH * wp + ox * g.strideW;
    }
    float* panel = dst + p * k * mr;
    for (int64_t c = 0; c < g.cin; ++c)
      for (int64_t ky = 0; ky < g.kh; ++ky)
        for (int64_t kx = 0; kx < g.kw; ++kx) {
          const float* src = padded + c * hp * wp + ky * g.dilationH * wp + kx * g.dilationW;
          float* d = panel + ((c * g.kh + ky) * g.kw + kx) * mr;
          for (int64_t r = 0; r < rows; ++r) d[r] = src[base[r]];
          for (int64_t r = rows; r < mr; ++r) d[r] = 0.f;
        }
    std::fill(panel + (k - 1) * mr, panel + k * mr, 1.f);
  }
}

// Tasks are (batch item, block of pixels, share of the output channels). A's panels are MR pixels
// of every input channel (pointwise) or window tap plus a row of ones, which meets B's bias row; C
// is the task's own [pixels x channels] buffer, a block of channels at a time. A window reads the
// input zero-padded once per run into planes just large enough for every tap.
class Conv2dTransposed final : public Conv2dKernel {
 public:
  Conv2dTransposed(Isa isa, const ConvGeometry& g, const float* weights, const float* bias, const Epilogue& epilogue)
      : isa_(isa), gemm_(gemm::gemmKernel(isa)), g_(g), pointwise_(isPointwiseWindow(g)), cin_(g.cin), cout_(g.cout),
        k_(g.cin * g.kh * g.kw + 1), epilogue_(epilogue) {
    const int64_t nr = gemm_.nr;
    if (gemm_.mr > 64) throw std::logic_error("conv2d: MR above 64");
    panels_ = ceilDiv(cout_, nr);
    panelStride_ = k_ * nr;
    packedB_ = allocAlignedFloats(panels_ * panelStride_);
    gemm::packFiltersTransposed(weights, bias, cout_, k_ - 1, static_cast<int>(nr), packedB_.get());
  }

  size_t workspaceBytes(int64_t batch, int64_t h, int64_t w, int threads) const override {
    return paddedBytes(batch, h, w) + static_cast<size_t>(std::max(threads, 1)) * threadBytes();
  }

  using Conv2dKernel::run;
  void run(const float* x, int64_t batch, int64_t h, int64_t w, const float* residual, float* y, void* workspace,
           ThreadPool& pool) const override {
    const int64_t oh = g_.outH(h), ow = g_.outW(w), plane = oh * ow, inPlane = h * w, mr = gemm_.mr;
    if (oh <= 0 || ow <= 0) throw std::invalid_argument("conv2d: the kernel does not fit in the padded input");
    if (batch <= 0 || plane <= 0) return;
    const int64_t hp = paddedH(oh), wp = paddedW(ow);
    float* padded = static_cast<float*>(workspace);
    if (!pointwise_) {
      pool.parallelFor(batch * cin_, [&](int64_t bc, int) { padPlane(x + bc * inPlane, h, w, padded + bc * hp * wp, hp, wp); });
      workspace = static_cast<char*>(workspace) + paddedBytes(batch, h, w);
    }
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
      if (pointwise_)
        gemm::packPixelsTransposed(x + b * cin_ * plane + p0, plane, cin_, m, static_cast<int>(mr), packedA);
      else
        packWindowsTransposed(g_, padded + b * cin_ * hp * wp, hp, wp, ow, p0, m, static_cast<int>(mr), packedA);

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
  // The padded planes hold every tap of every output pixel: the input at (padTop, padLeft), zeros
  // around it.
  int64_t paddedH(int64_t oh) const { return (oh - 1) * g_.strideH + (g_.kh - 1) * g_.dilationH + 1; }
  int64_t paddedW(int64_t ow) const { return (ow - 1) * g_.strideW + (g_.kw - 1) * g_.dilationW + 1; }
  size_t paddedBytes(int64_t batch, int64_t h, int64_t w) const {
    const int64_t oh = g_.outH(h), ow = g_.outW(w);
    if (pointwise_ || oh <= 0 || ow <= 0) return 0;
    return static_cast<size_t>(roundUp(batch * cin_ * paddedH(oh) * paddedW(ow) * 4, static_cast<int64_t>(kAlign)));
  }
  void padPlane(const float* src, int64_t h, int64_t w, float* dst, int64_t hp, int64_t wp) const {
    for (int64_t y = 0; y < hp; ++y) {
      float* row = dst + y * wp;
      const int64_t iy = y - g_.padTop;
      const int64_t x0 = std::min(g_.padLeft, wp), x1 = std::min(wp, g_.padLeft + w);
      if (iy < 0 || iy >= h || x1 <= x0) {
        std::fill(row, row + wp, 0.f);
        continue;
      }
      std::fill(row, row + x0, 0.f);
      std::memcpy(row + x0, src + iy * w, static_cast<size_t>(x1 - x0) * sizeof(float));
      std::fill(row + x1, row + wp, 0.f);
    }
  }

  static constexpr int64_t kPixels = 96;  // a multiple of every ISA's MR (4, 6, 12)
  int64_t channelBlock() const { return std::min(roundUp(cout_, gemm_.nr), 8 * static_cast<int64_t>(gemm_.nr)); }
  int64_t aFloats() const { return roundUp(kPixels * k_, static_cast<int64_t>(kAlign / sizeof(float))); }
  size_t threadBytes() const { return static_cast<size_t>(aFloats() + kPixels * channelBlock()) * sizeof(float); }

  Isa isa_;
  const gemm::GemmKernel& gemm_;
  ConvGeometry g_;
  bool pointwise_;
  int64_t cin_, cout_, k_;
  Epilogue epilogue_;
  int64_t panels_ = 0, panelStride_ = 0;
  AlignedFloats packedB_;
};

}  // namespace

bool isPointwiseTransposed(const ConvGeometry& g) { return g.groups == 1 && isPointwiseWindow(g); }

bool isImplicitGemmTransposed(const ConvGeometry& g) { return g.groups == 1 && !isPointwiseWindow(g); }

std::unique_ptr<Conv2dKernel> makeConv2dTransposed(ConvAlgo algo, Isa isa, const ConvGeometry& geometry,
                                                   const float* weights, const float* bias, const Epilogue& epilogue) {
  if (algo == ConvAlgo::PointwiseTransposed && !isPointwiseTransposed(geometry))
    throw std::invalid_argument("conv2d: pointwise-transposed needs a 1x1 kernel, stride 1, no padding, one group");
  if (algo == ConvAlgo::ImplicitGemmTransposed && !isImplicitGemmTransposed(geometry))
    throw std::invalid_argument("conv2d: implicit-gemm-transposed needs one group and a window other than pointwise");
  return std::make_unique<Conv2dTransposed>(isa, geometry, weights, bias, epilogue);
}

}  // namespace kiln
