// INT8 convolution as a packed u8 x s8 GEMM per batch item: Y[cout, pixels] = W[cout, K] x X[K, pixels],
// X rearranged once per run into tap planes (qconv2d_planes.h: padded, stride phases split) and
// gathered from them into pixel panels per task, W packed once here. The input zero point (and the
// shift a micro-kernel's packing applies to the activations) is folded into a per-channel
// compensation.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/int_math.h"
#include "kernels/qconv2d.h"
#include "kernels/qconv2d_pack.h"
#include "kernels/qconv2d_planes.h"
#include "kernels/qgemm_kernel.h"

namespace kiln {
namespace {

constexpr size_t kAlign = 64;
// The packed pixel block of one task (and the gathered rows it is packed from) stays in L2 while
// the weight panels pass over it.
constexpr int64_t kPixelBlockBytes = 256 << 10;

struct AlignedFree {
  void operator()(int8_t* p) const { ::operator delete[](p, std::align_val_t(kAlign)); }
};

bool validGeometry(const ConvGeometry& g) {
  return g.cin > 0 && g.cout > 0 && g.groups == 1 && g.kh > 0 && g.kw > 0 && g.strideH > 0 && g.strideW > 0 &&
         g.dilationH > 0 && g.dilationW > 0 && g.padTop >= 0 && g.padLeft >= 0 && g.padBottom >= 0 &&
         g.padRight >= 0;
}

class QConv2dGemm final : public QConv2dKernel {
 public:
  QConv2dGemm(Int8Path path, const ConvGeometry& g, const float* weights, const float* bias,
              const Epilogue& epilogue, QuantParams input, const QConvOutput& output, const QResidual& residual)
      : g_(g), kernel_(qgemm::qgemmKernel(path)), inputZeroPoint_(static_cast<uint8_t>(input.zeroPoint)),
        packFlip_(static_cast<uint8_t>(kernel_.activationOffset)) {
    k_ = g.cin * g.kh * g.kw;
    kGroups_ = qconv::kGroups(k_);
    std::vector<int8_t> wq(g.cout * k_);
    std::vector<float> wScale(g.cout);
    quantizeWeightsPerChannel(weights, g.cout, k_, int8WeightMax(path), wq.data(), wScale.data());
    compensation_.resize(g.cout);
    scale_.resize(g.cout);
    bias_.assign(g.cout, 0.f);
    for (int64_t c = 0; c < g.cout; ++c) {
      int32_t sum = 0;
      for (int64_t i = 0; i < k_; ++i) sum += wq[c * k_ + i];
      compensation_[c] = (kernel_.activationOffset - input.zeroPoint) * sum;
      scale_[c] = input.scale * wScale[c];
      if (bias) bias_[c] = bias[c];
    }
    const int64_t mPanels = ceilDiv(g.cout, kernel_.mr);
    wPanelBytes_ = kGroups_ * kernel_.mr * 4;
    packedW_.reset(static_cast<int8_t*>(::operator new[](mPanels * wPanelBytes_, std::align_val_t(kAlign))));
    qconv::packWeights(wq.data(), g.cout, k_, kernel_.mr, packedW_.get());

    e_.output = output.isInt32 ? qgemm::QEpilogue::Output::Int32
                : output.isFloat ? qgemm::QEpilogue::Output::Float
                                 : qgemm::QEpilogue::Output::U8;
    e_.compensation = compensation_.data();
    e_.scale = scale_.data();
    e_.bias = bias_.data();
    e_.act = epilogue;
    e_.yInvScale = 1.f / output.quant.scale;
    e_.yZeroPoint = static_cast<float>(output.quant.zeroPoint);
    e_.residual = residual.present;
    e_.rScale = residual.quant.scale;
    e_.rZeroPoint = residual.quant.zeroPoint;
    outBytes_ = e_.output == qgemm::QEpilogue::Output::U8 ? 1 : 4;
    // A spare pixel row per panel: panels a multiple of 4 KiB apart would share L1 sets.
    xPanelBytes_ = (kGroups_ + 1) * kernel_.nr * 4;
  }

  size_t workspaceBytes(int64_t batch, int64_t h, int64_t w, int threads) const override {
    const int64_t pixels = std::max<int64_t>(0, g_.outH(h)) * std::max<int64_t>(0, g_.outW(w));
    return sharedBytes(std::max<int64_t>(batch, 0), h, w) +
           static_cast<size_t>(std::max(threads, 1)) * panelBlockBytes(pixels);
  }

  void run(const uint8_t* x, int64_t batch, int64_t h, int64_t w, void* y, const uint8_t* residual, void* workspace,
           ThreadPool& pool) const override {
    if (h + g_.padTop + g_.padBottom < g_.dilationH * (g_.kh - 1) + 1 ||
        w + g_.padLeft + g_.padRight < g_.dilationW * (g_.kw - 1) + 1)
      throw std::invalid_argument("qconv2d: the kernel does not fit in the padded input");
    if (e_.residual && !residual) throw std::invalid_argument("qconv2d: the residual input is missing");
    const int64_t outH = g_.outH(h), outW = g_.outW(w), pixels = outH * outW;
    if (batch <= 0 || pixels <= 0) return;
    const qconv::PlaneLayout layout = qconv::planeLayout(g_, h, w);
    int64_t* tapOffsets = static_cast<int64_t*>(workspace);
    qconv::tapOffsets(g_, layout, tapOffsets);
    uint8_t* planes = static_cast<uint8_t*>(workspace) + offsetTableBytes();
    const int64_t itemBytes = layout.itemBytes(g_.cin);
    if (!layout.inPlace) {
      for (int64_t b = 0; b < batch; ++b)
        std::memset(planes + (b + 1) * itemBytes - qconv::kPlaneSlack, 0, qconv::kPlaneSlack);
      pool.parallelFor(batch * g_.cin * g_.strideH, [&](int64_t task, int) {
        const int64_t py = task % g_.strideH, c = task / g_.strideH % g_.cin, b = task / g_.strideH / g_.cin;
        qconv::buildPhasePlanes(g_, layout, x + (b * g_.cin + c) * h * w, h, w, inputZeroPoint_, py,
                                planes + b * itemBytes + c * layout.channelBytes());
      });
    }
    const Plan plan = makePlan(batch, pixels, pool.size());
    uint8_t* threadSpace = static_cast<uint8_t*>(workspace) + sharedBytes(batch, h, w);
    const size_t stride = panelBlockBytes(pixels);
    const int mr = kernel_.mr, nr = kernel_.nr;
    pool.parallelFor(plan.tasks, [&](int64_t task, int thread) {
      const int64_t mb = task % plan.mBlocks, nt = task / plan.mBlocks % plan.nTiles;
      const int64_t b = task / plan.mBlocks / plan.nTiles;
      const int64_t n0 = nt * plan.nc, n = std::min(plan.nc, pixels - n0);
      const int64_t m0 = mb * plan.mc, m1 = std::min(g_.cout, m0 + plan.mc);
      uint8_t* panels = threadSpace + stride * thread;
      const uint8_t* itemPlanes = layout.inPlace ? x + b * g_.cin * h * w : planes + b * itemBytes;
      const qconv::QPlanesView in{itemPlanes, tapOffsets, layout.rowStride, outW, inputZeroPoint_, packFlip_};
      qconv::packInput(in, kGroups_, n0, n, nr, xPanelBytes_, panels);
      alignas(64) int32_t acc[qgemm::kMaxMr * qgemm::kMaxNr];
      for (int64_t c0 = m0; c0 < m1; c0 += mr) {
        const int8_t* wPanel = packedW_.get() + c0 / mr * wPanelBytes_;
        qgemm::QTile t;
        t.acc = acc;
        t.m = static_cast<int>(std::min<int64_t>(mr, g_.cout - c0));
        t.channel = c0;
        t.ldy = pixels;
        for (int64_t j = 0; j * nr < n; ++j) {
          const int64_t at = (b * g_.cout + c0) * pixels + n0 + j * nr;
          t.n = static_cast<int>(std::min<int64_t>(nr, n - j * nr));
          t.y = static_cast<char*>(y) + at * outBytes_;
          t.residual = residual ? residual + at : nullptr;
          if (kernel_.tile) {
            kernel_.tile(wPanel, panels + j * xPanelBytes_, kGroups_, e_, t);
          } else {
            kernel_.micro(wPanel, panels + j * xPanelBytes_, kGroups_, acc);
            kernel_.epilogue(e_, t);
          }
        }
      }
    });
  }

 private:
  // One run in tasks of (batch item, N tile of nc pixels, M block of mc channels).
  struct Plan {
    int64_t nc, nTiles, mc, mBlocks, tasks;
  };

  int64_t maxNc(int64_t pixels) const {
    const int64_t nr = kernel_.nr;
    const int64_t fit = std::max<int64_t>(4 * nr, kPixelBlockBytes / (kGroups_ * 4) / nr * nr);
    return std::min(fit, roundUp(std::max<int64_t>(pixels, 1), nr));
  }

  size_t panelBlockBytes(int64_t pixels) const {
    return static_cast<size_t>(roundUp(maxNc(pixels) / kernel_.nr * xPanelBytes_, kAlign));
  }

  size_t offsetTableBytes() const { return static_cast<size_t>(roundUp(kGroups_ * 4 * 8, kAlign)); }

  // The tap offsets and every batch item's tap planes, shared by the threads.
  size_t sharedBytes(int64_t batch, int64_t h, int64_t w) const {
    const int64_t planes = batch * qconv::planeLayout(g_, h, w).itemBytes(g_.cin);
    return offsetTableBytes() + static_cast<size_t>(roundUp(planes, kAlign));
  }

  // The tiling with the least estimated time per thread under the static split (each thread runs
  // ceil(tasks / threads) tasks); a task costs its multiply-adds, packing its pixels (once per M
  // block: smaller M blocks repeat it) and streaming its weight panels, in multiply-add units.
  Plan makePlan(int64_t batch, int64_t pixels, int threads) const {
    const int64_t nr = kernel_.nr, mr = kernel_.mr, mPanels = ceilDiv(g_.cout, mr);
    const double packElement = 16, wElement = 2;
    // Down to one panel per tile: small maps need narrow tiles to give many threads work.
    const int64_t top = maxNc(pixels), minNc = std::min(top, nr);
    Plan best{};
    double bestTime = 0;
    for (int64_t ncTry = top; ncTry >= minNc; ncTry = roundUp(ncTry / 2, nr)) {
      const int64_t nc = roundUp(ceilDiv(pixels, ceilDiv(pixels, ncTry)), nr);
      const int64_t nTiles = ceilDiv(pixels, nc);
      for (int64_t mTry = 1; mTry <= mPanels; mTry = mTry < 4 ? mTry + 1 : mTry * 2) {
        const int64_t mc = ceilDiv(mPanels, mTry) * mr, mBlocks = ceilDiv(g_.cout, mc);
        const int64_t tasks = batch * nTiles * mBlocks;
        const double task = double(kGroups_) * (double(mc) * nc + packElement * nc + wElement * mc);
        const double time = double(ceilDiv(tasks, threads)) * task;
        if (bestTime == 0 || time < bestTime * 0.999) {
          best = Plan{nc, nTiles, mc, mBlocks, tasks};
          bestTime = time;
        }
        if (threads == 1) return best;
      }
      if (ncTry == minNc) break;
    }
    return best;
  }

  ConvGeometry g_;
  const qgemm::QGemmKernel& kernel_;
  uint8_t inputZeroPoint_;
  uint8_t packFlip_;
  int64_t k_ = 0, kGroups_ = 0;
  int64_t wPanelBytes_ = 0, xPanelBytes_ = 0;
  int outBytes_ = 1;
  std::unique_ptr<int8_t[], AlignedFree> packedW_;
  std::vector<int32_t> compensation_;
  std::vector<float> scale_, bias_;
  qgemm::QEpilogue e_;
};

}  // namespace

std::unique_ptr<QConv2dKernel> QConv2dKernel::create(Int8Path path, const ConvGeometry& geometry, const float* weights,
                                                     const float* bias, const Epilogue& epilogue, QuantParams input,
                                                     const QConvOutput& output, const QResidual& residual) {
  if (!validGeometry(geometry)) throw std::invalid_argument("qconv2d: invalid geometry (groups must be 1)");
  if (!weights) throw std::invalid_argument("qconv2d: weights are null");
  if (!int8PathSupported(path))
    throw std::invalid_argument(std::string("qconv2d: this CPU or build cannot run ") + int8PathName(path));
  if (input.zeroPoint < 0 || input.zeroPoint > 255) throw std::invalid_argument("qconv2d: input zero point not u8");
  if (!output.isFloat && !output.isInt32 && !(output.quant.scale > 0.f))
    throw std::invalid_argument("qconv2d: the u8 output needs a positive scale");
  if (output.isInt32 && residual.present) throw std::invalid_argument("qconv2d: int32 output takes no residual");
  return std::make_unique<QConv2dGemm>(path, geometry, weights, bias, epilogue, input, output, residual);
}

}  // namespace kiln
