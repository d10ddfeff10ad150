// Convolution as packed GEMM per (batch item, group): Y[cout/g, pixels] = W[cout/g, K] x X[K, pixels].
#include <algorithm>
#include <new>
#include <stdexcept>
#include <string>

#include "kernels/conv2d.h"
#include "kernels/conv2d_pack.h"
#include "kernels/gemm_kernel.h"
#include "kernels/gemm_pack.h"

namespace kiln {
namespace {

inline int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
inline int64_t roundUp(int64_t a, int64_t b) { return ceilDiv(a, b) * b; }

constexpr size_t kAlign = 64;

struct AlignedFree {
  void operator()(float* p) const { ::operator delete[](p, std::align_val_t(kAlign)); }
};
using AlignedFloats = std::unique_ptr<float[], AlignedFree>;

AlignedFloats allocFloats(int64_t n) {
  return AlignedFloats(static_cast<float*>(::operator new[](static_cast<size_t>(n) * sizeof(float),
                                                            std::align_val_t(kAlign))));
}

bool validGeometry(const ConvGeometry& g) {
  return g.cin > 0 && g.cout > 0 && g.groups > 0 && g.cin % g.groups == 0 && g.cout % g.groups == 0 &&
         g.kh > 0 && g.kw > 0 && g.strideH > 0 && g.strideW > 0 && g.dilationH > 0 && g.dilationW > 0 &&
         g.padTop >= 0 && g.padLeft >= 0 && g.padBottom >= 0 && g.padRight >= 0;
}

bool isPointwise(const ConvGeometry& g) {
  return g.kh == 1 && g.kw == 1 && g.strideH == 1 && g.strideW == 1 && g.padTop == 0 && g.padLeft == 0 &&
         g.padBottom == 0 && g.padRight == 0 && g.dilationH == 1 && g.dilationW == 1;
}

class Conv2dGemm final : public Conv2dKernel {
 public:
  Conv2dGemm(ConvAlgo algo, Isa isa, const ConvGeometry& g, const float* weights, const float* bias,
             const Epilogue& epilogue)
      : algo_(algo), g_(g), gemm_(gemm::gemmKernel(isa)), pack_(conv::convPackers(isa)), epilogue_(epilogue) {
    if (pack_.nr != gemm_.nr) throw std::logic_error("conv2d: packer and micro-kernel disagree on NR");
    mg_ = g.cout / g.groups;
    kg_ = g.cin / g.groups * g.kh * g.kw;
    // Equal K blocks, so that no block is a short remainder.
    kBlocks_ = ceilDiv(kg_, gemm_.kc);
    kc_ = ceilDiv(kg_, kBlocks_);
    aPanelStride_ = kg_ * gemm_.mr;
    aGroupStride_ = gemm::packedASize(mg_, kg_, gemm_.mr);
    packedA_ = allocFloats(aGroupStride_ * g.groups);
    for (int64_t grp = 0; grp < g.groups; ++grp)
      gemm::packA(weights + grp * mg_ * kg_, mg_, kg_, kg_, gemm_.mr, packedA_.get() + grp * aGroupStride_);
    if (bias) bias_.assign(bias, bias + g.cout);
  }

  size_t workspaceBytes(int64_t batch, int64_t h, int64_t w, int threads) const override {
    (void)batch;
    const int64_t pixels = std::max<int64_t>(0, g_.outH(h)) * std::max<int64_t>(0, g_.outW(w));
    return static_cast<size_t>(std::max(threads, 1)) * threadBytes(pixels);
  }

  void run(const float* x, int64_t batch, int64_t h, int64_t w, float* y, void* workspace,
           ThreadPool& pool) const override {
    if (h + g_.padTop + g_.padBottom < g_.dilationH * (g_.kh - 1) + 1 ||
        w + g_.padLeft + g_.padRight < g_.dilationW * (g_.kw - 1) + 1)
      throw std::invalid_argument("conv2d: the kernel does not fit in the padded input");
    const int64_t outH = g_.outH(h), outW = g_.outW(w);
    const int64_t pixels = outH * outW;
    if (batch <= 0) return;
    const Plan plan = makePlan(batch, pixels, pool.size());
    const size_t stride = threadBytes(pixels);
    const int64_t cinG = g_.cin / g_.groups;
    pool.parallelFor(plan.tasks, [&](int64_t task, int thread) {
      const int64_t mb = task % plan.mBlocks;
      int64_t rest = task / plan.mBlocks;
      const int64_t nt = rest % plan.nTiles;
      rest /= plan.nTiles;
      const int64_t grp = rest % g_.groups, b = rest / g_.groups;
      const int64_t n0 = nt * plan.nc, n = std::min(plan.nc, pixels - n0);
      const int64_t m0 = mb * plan.mc, m = std::min(plan.mc, mg_ - m0);
      float* panel = reinterpret_cast<float*>(static_cast<char*>(workspace) + stride * thread);
      const conv::InputView in{x + (b * g_.cin + grp * cinG) * h * w, h, w, outW};

      gemm::MacroTile t;
      t.aPanelStride = aPanelStride_;
      t.b = panel;
      t.c = y + (b * g_.cout + grp * mg_ + m0) * pixels + n0;
      t.ldc = pixels;
      t.m = m;
      t.n = n;
      t.bias = bias_.empty() ? nullptr : bias_.data() + grp * mg_ + m0;
      t.epilogue = epilogue_;
      const float* a = packedA_.get() + grp * aGroupStride_ + m0 / gemm_.mr * aPanelStride_;
      for (int64_t kb = 0; kb < kBlocks_; ++kb) {
        const int64_t k0 = kb * kc_, kc = std::min(kc_, kg_ - k0);
        const int64_t panelStride = bPanelStride(kc);
        if (algo_ == ConvAlgo::Pointwise)
          pack_.pointwise(in, k0, kc, n0, n, panelStride, panel);
        else
          pack_.im2col(g_, in, k0, kc, n0, n, panelStride, panel);
        t.bPanelStride = panelStride;
        t.a = a + k0 * gemm_.mr;
        t.k = kc;
        t.accumulate = kb > 0;
        t.last = kb == kBlocks_ - 1;
        gemm_.macro(t);
      }
    });
  }

 private:
  // How one run is cut into tasks: (batch, group, N tile of nc pixels, M block of mc rows).
  struct Plan {
    int64_t nc, nTiles, mc, mBlocks, tasks;
  };

  int64_t maxNc(int64_t pixels) const {
    return std::min(gemm_.nc, roundUp(std::max<int64_t>(pixels, 1), gemm_.nr));
  }

  // One spare row per B panel: panels a multiple of 4 KiB apart would all fall in the same L1 sets
  // while the packer writes them row by row.
  int64_t bPanelStride(int64_t kc) const { return (kc + 1) * gemm_.nr; }

  // The packed B block, per thread.
  size_t threadBytes(int64_t pixels) const {
    const int64_t panels = maxNc(pixels) / gemm_.nr;
    const int64_t bytes = panels * bPanelStride(kc_) * static_cast<int64_t>(sizeof(float));
    return static_cast<size_t>(roundUp(bytes, kAlign));
  }

  // Picks the tiling with the smallest estimated time per thread under the static split: each
  // thread runs ceil(tasks / threads) tasks, and a task costs its multiply-adds plus packing its B
  // block (per element and per packed row) and streaming its slice of A, all in multiply-add
  // equivalents. Bigger tiles amortize the packing; more tiles fill more threads. N tiles stay at
  // least 4 panels wide, below which re-reading A panels dominates.
  Plan makePlan(int64_t batch, int64_t pixels, int threads) const {
    const int64_t nr = gemm_.nr, mr = gemm_.mr;
    const int64_t outer = batch * g_.groups;
    const bool pointwise = algo_ == ConvAlgo::Pointwise;
    const double packElement = pointwise ? 8 : 24, packRow = pointwise ? 100 : 400, aElement = 8;
    const int64_t minNc = std::min(maxNc(pixels), 4 * nr);
    const int64_t mPanels = ceilDiv(mg_, mr);
    Plan best{};
    double bestTime = 0;
    for (int64_t ncTry = maxNc(pixels); ncTry >= minNc; ncTry = roundUp(ncTry / 2, nr)) {
      const int64_t nc = roundUp(ceilDiv(pixels, ceilDiv(pixels, ncTry)), nr);
      const int64_t nTiles = ceilDiv(pixels, nc);
      for (int64_t mTry = 1; mTry <= mPanels; mTry = mTry < 4 ? mTry + 1 : mTry * 2) {
        const int64_t mc = ceilDiv(mPanels, mTry) * mr;
        const int64_t mBlocks = ceilDiv(mg_, mc);
        const int64_t tasks = outer * nTiles * mBlocks;
        const double task = double(kg_) * (double(mc) * nc + packElement * nc + packRow + aElement * mc);
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

  ConvAlgo algo_;
  ConvGeometry g_;
  const gemm::GemmKernel& gemm_;
  const conv::ConvPackers& pack_;
  Epilogue epilogue_;
  int64_t mg_ = 0, kg_ = 0;
  int64_t kBlocks_ = 1, kc_ = 0;
  int64_t aPanelStride_ = 0, aGroupStride_ = 0;
  AlignedFloats packedA_;
  std::vector<float> bias_;
};

}  // namespace

const char* convAlgoName(ConvAlgo algo) {
  switch (algo) {
    case ConvAlgo::ImplicitGemm: return "implicit-gemm";
    case ConvAlgo::Pointwise: return "pointwise";
  }
  return "unknown";
}

std::vector<ConvAlgo> convAlgorithms(const ConvGeometry& geometry, Isa isa) {
  std::vector<ConvAlgo> out;
  if (!validGeometry(geometry) || !cpuSupports(isa)) return out;
  if (isPointwise(geometry)) out.push_back(ConvAlgo::Pointwise);
  out.push_back(ConvAlgo::ImplicitGemm);
  return out;
}

std::unique_ptr<Conv2dKernel> Conv2dKernel::create(ConvAlgo algo, Isa isa, const ConvGeometry& geometry,
                                                   const float* weights, const float* bias,
                                                   const Epilogue& epilogue) {
  if (!validGeometry(geometry)) throw std::invalid_argument("conv2d: invalid geometry");
  if (!weights) throw std::invalid_argument("conv2d: weights are null");
  if (!cpuSupports(isa)) throw std::invalid_argument(std::string("conv2d: this CPU cannot run ") + isaName(isa));
  if (algo == ConvAlgo::Pointwise && !isPointwise(geometry))
    throw std::invalid_argument("conv2d: pointwise needs a 1x1 kernel, stride 1, no padding, dilation 1");
  if (algo != ConvAlgo::Pointwise && algo != ConvAlgo::ImplicitGemm)
    throw std::invalid_argument("conv2d: unknown algorithm");
  return std::make_unique<Conv2dGemm>(algo, isa, geometry, weights, bias, epilogue);
}

}  // namespace kiln
