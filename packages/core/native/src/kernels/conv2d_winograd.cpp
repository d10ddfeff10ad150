// Convolution by Winograd F(4x4, 3x3): per block of output tiles, the input transform V, the 36
// products M[xi] = U[xi] V[xi] on the packed SGEMM micro-kernels (U packed once, at creation), and
// the output transform with bias, activation and residual fused.
#include "kernels/conv2d_winograd.h"

#include <algorithm>
#include <new>
#include <stdexcept>
#include <vector>

#include "kernels/aligned_floats.h"
#include "kernels/conv2d_winograd_transform.h"
#include "kernels/gemm_kernel.h"
#include "kernels/gemm_pack.h"
#include "kernels/int_math.h"

namespace kiln {
namespace {

using winograd::kPoints;


constexpr size_t kAlign = 64;

size_t alignedBytes(int64_t floats) {
  return static_cast<size_t>(roundUp(floats * static_cast<int64_t>(sizeof(float)), kAlign));
}

class Conv2dWinograd final : public Conv2dKernel {
 public:
  Conv2dWinograd(Isa isa, const ConvGeometry& g, const float* weights, const float* bias, const Epilogue& epilogue)
      : g_(g),
        gemm_(gemm::gemmKernel(isa)),
        wide_(winograd::transforms(isa)),
        narrow_(winograd::transforms(isa == Isa::Avx512 ? Isa::Avx2 : isa)),
        epilogue_(epilogue) {
    kc_ = gemm::equalKBlock(gemm_, g.cin);
    aPanelStride_ = g.cin * gemm_.mr;
    aPointStride_ = gemm::packedASize(g.cout, g.cin, gemm_.mr);
    std::vector<float> u(static_cast<size_t>(kPoints * g.cout * g.cin));
    winograd::transformWeights(weights, g.cout, g.cin, u.data());
    packedA_ = allocAlignedFloats(kPoints * aPointStride_);
    for (int64_t xi = 0; xi < kPoints; ++xi)
      gemm::packA(u.data() + xi * g.cout * g.cin, g.cout, g.cin, g.cin, gemm_.mr,
                  packedA_.get() + xi * aPointStride_);
    if (bias) bias_.assign(bias, bias + g.cout);
  }

  size_t workspaceBytes(int64_t batch, int64_t h, int64_t w, int threads) const override {
    const Plan plan = makePlan(std::max<int64_t>(1, batch), tileCount(h, w), std::max(threads, 1));
    return headBytes() + static_cast<size_t>(std::max(threads, 1)) * threadBytes(plan);
  }

  using Conv2dKernel::run;
  void run(const float* x, int64_t batch, int64_t h, int64_t w, const float* residual, float* y,
           void* workspace, ThreadPool& pool) const override {
    if (h + g_.padTop + g_.padBottom < 3 || w + g_.padLeft + g_.padRight < 3)
      throw std::invalid_argument("conv2d: the kernel does not fit in the padded input");
    if (batch <= 0) return;
    const int64_t outH = g_.outH(h), outW = g_.outW(w), tilesW = ceilDiv(outW, 4);
    const int64_t tiles = tileCount(h, w);
    const Plan plan = makePlan(batch, tiles, pool.size());
    const winograd::Transforms& transforms = transformsFor(tilesW);
    const int64_t stride = gemm_.nr;
    // B is read in place from V (row p of a panel is input channel p's row of V).
    int64_t* bRows = static_cast<int64_t*>(workspace);
    for (int64_t p = 0; p < kc_; ++p) bRows[p] = p * stride;
    char* threadSpace = static_cast<char*>(workspace) + headBytes();
    const size_t threadStride = threadBytes(plan);
    const int64_t vPoint = pointStride(g_.cin), mPoint = pointStride(plan.mc);
    const size_t vBytes = alignedBytes(kPoints * vPoint);
    pool.parallelFor(plan.tasks, [&](int64_t task, int thread) {
      const int64_t chunk = task % plan.mChunks, block = task / plan.mChunks % plan.blocks;
      const int64_t b = task / plan.mChunks / plan.blocks;
      const int64_t first = block * plan.blockTiles;
      const winograd::TileBlock tileBlock{tilesW, first, std::min(plan.blockTiles, tiles - first)};
      const int64_t m0 = chunk * plan.mc, mc = std::min(plan.mc, g_.cout - m0);
      char* mine = threadSpace + threadStride * thread;
      float* v = reinterpret_cast<float*>(mine);
      float* m = reinterpret_cast<float*>(mine + vBytes);

      transforms.input({x + b * g_.cin * h * w, g_.cin, h, w, g_.padTop, g_.padLeft, tileBlock, v, vPoint, stride});
      gemm::MacroTile t;
      t.aPanelStride = aPanelStride_;
      t.bPanelStride = gemm_.nr;
      t.bRows = bRows;
      t.ldc = stride;
      t.m = mc;
      t.n = stride;
      for (int64_t xi = 0; xi < kPoints; ++xi) {
        t.c = m + xi * mPoint;
        t.a = packedA_.get() + xi * aPointStride_ + m0 / gemm_.mr * aPanelStride_;
        t.b = v + xi * vPoint;
        gemm::macroOverK(gemm_, t, g_.cin, stride);
      }
      const int64_t outOffset = b * g_.cout * outH * outW;
      transforms.output({m, mPoint, stride, m0, mc, bias_.empty() ? nullptr : bias_.data(), epilogue_,
                          y + outOffset, residual ? residual + outOffset : nullptr, outH, outW, tileBlock});
    });
  }

 private:
  // How one run is cut into tasks: (batch item, block of blockTiles consecutive tiles, chunk of mc
  // output channels). A block fills one B panel of NR tiles (NR columns of V and M), its tiles
  // spread evenly over the blocks; larger ones measured no faster, even with a few hundred channels,
  // and leave fewer tasks for threads. A task transforms its block's input for every input channel,
  // so chunks of output channels repeat that work; they only pay where there are too few blocks for
  // the threads.
  struct Plan {
    int64_t blockTiles, blocks, mc, mChunks, tasks;
  };

  int64_t tileCount(int64_t h, int64_t w) const {
    const int64_t outH = std::max<int64_t>(1, g_.outH(h)), outW = std::max<int64_t>(1, g_.outW(w));
    return ceilDiv(outH, 4) * ceilDiv(outW, 4);
  }

  // Picks the chunking with the smallest estimated time per thread (each runs ceil(tasks / threads)
  // tasks): a task costs its multiply-adds and its transforms, in multiply-add equivalents.
  Plan makePlan(int64_t batch, int64_t tiles, int threads) const {
    const int64_t nr = gemm_.nr, mr = gemm_.mr, mPanels = ceilDiv(g_.cout, mr);
    const double inputCost = 300, outputCost = 300;
    const int64_t blocks = ceilDiv(tiles, nr), blockTiles = ceilDiv(tiles, blocks);
    Plan best{};
    double bestTime = 0;
    for (int64_t mTry = 1; mTry <= mPanels; mTry = mTry < 4 ? mTry + 1 : mTry * 2) {
      const int64_t mc = mTry == 1 ? g_.cout : ceilDiv(mPanels, mTry) * mr;
      const int64_t mChunks = ceilDiv(g_.cout, mc), tasks = batch * blocks * mChunks;
      const double task = double(nr) * (kPoints * double(g_.cin) * mc + inputCost * g_.cin + outputCost * mc);
      const double time = double(ceilDiv(tasks, threads)) * task;
      if (bestTime == 0 || time < bestTime * 0.999) {
        best = Plan{blockTiles, blocks, mc, mChunks, tasks};
        bestTime = time;
      }
      if (threads == 1) break;
    }
    return best;
  }

  // The transforms for a map tilesW tiles wide. Each tile row ends in a partial vector; where the
  // narrower vectors leave far fewer lanes empty there (narrow maps), they win despite costing about
  // 1.5 times as much per lane (AVX2's shuffles against AVX-512's two-source permutes, on Zen 4).
  const winograd::Transforms& transformsFor(int64_t tilesW) const {
    return 3 * roundUp(tilesW, narrow_.lanes) < 2 * roundUp(tilesW, wide_.lanes) ? narrow_ : wide_;
  }

  // Ahead of the threads' spaces: the offsets of B's rows in V.
  size_t headBytes() const { return static_cast<size_t>(roundUp(kc_ * static_cast<int64_t>(sizeof(int64_t)), kAlign)); }

  // Floats from one transform point's matrix of V or M (rows x NR) to the next: an odd number of
  // cache lines, so that the 36 rows a transform reads or writes at once fall in different L1 sets
  // (a multiple of 4 KiB apart, they would all compete for one).
  int64_t pointStride(int64_t rows) const { return (ceilDiv(rows * gemm_.nr, 16) | 1) * 16; }

  // A thread's space: its block's V, then its M (read up to one vector past its end).
  size_t threadBytes(const Plan& plan) const {
    return alignedBytes(kPoints * pointStride(g_.cin)) + alignedBytes(kPoints * pointStride(plan.mc) + wide_.lanes);
  }

  ConvGeometry g_;
  const gemm::GemmKernel& gemm_;
  const winograd::Transforms& wide_;    // this ISA's vectors
  const winograd::Transforms& narrow_;  // AVX-512: AVX2's, half as wide; otherwise the same
  Epilogue epilogue_;
  int64_t kc_ = 0;  // the GEMMs' K block (equalKBlock): how many in-place B rows bRows holds
  int64_t aPanelStride_ = 0, aPointStride_ = 0;
  AlignedFloats packedA_;
  std::vector<float> bias_;
};

}  // namespace

bool isWinogradF43(const ConvGeometry& g) {
  return g.groups == 1 && g.kh == 3 && g.kw == 3 && g.strideH == 1 && g.strideW == 1 && g.dilationH == 1 &&
         g.dilationW == 1;
}

std::unique_ptr<Conv2dKernel> makeConv2dWinograd(Isa isa, const ConvGeometry& geometry, const float* weights,
                                                 const float* bias, const Epilogue& epilogue) {
  if (!isWinogradF43(geometry))
    throw std::invalid_argument("conv2d: winograd needs one group, a 3x3 kernel, stride 1, dilation 1");
  return std::make_unique<Conv2dWinograd>(isa, geometry, weights, bias, epilogue);
}

}  // namespace kiln
