// Convolution as packed GEMM per (batch item, group): Y[cout/g, pixels] = W[cout/g, K] x X[K, pixels].
#include <algorithm>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>

#include "kernels/aligned_floats.h"
#include "kernels/conv2d.h"
#include "kernels/conv2d_pack.h"
#include "kernels/conv2d_transposed.h"
#include "kernels/conv2d_winograd.h"
#include "kernels/gemm_kernel.h"
#include "kernels/gemm_pack.h"
#include "kernels/int_math.h"

namespace kiln {
namespace {

constexpr size_t kAlign = 64;

bool validGeometry(const ConvGeometry& g) {
  return g.cin > 0 && g.cout > 0 && g.groups > 0 && g.cin % g.groups == 0 && g.cout % g.groups == 0 &&
         g.kh > 0 && g.kw > 0 && g.strideH > 0 && g.strideW > 0 && g.dilationH > 0 && g.dilationW > 0 &&
         g.padTop >= 0 && g.padLeft >= 0 && g.padBottom >= 0 && g.padRight >= 0;
}

bool isSpaceToDepth(const ConvGeometry& g) {
  return g.strideH == 2 && g.strideW == 2 && g.dilationH == 1 && g.dilationW == 1 && (g.kh > 1 || g.kw > 1);
}

bool isDirectRows(const ConvGeometry& g) {
  return g.strideH == 1 && g.strideW == 1 && g.dilationH == 1 && g.dilationW == 1 && (g.kh > 1 || g.kw > 1);
}

// The phase planes' size for space-to-depth (stride s = 2: s x s planes per channel) and direct
// rows (s = 1: the zero-padded channel): the zero border (ceil(pad / s)) plus enough rows and
// columns for every tap of every output pixel.
struct PhaseDims {
  int64_t s, bt, bl, zh, zw;
};
PhaseDims phaseDims(const ConvGeometry& g, int64_t outH, int64_t outW) {
  PhaseDims d;
  d.s = g.strideH;
  d.bt = (g.padTop + d.s - 1) / d.s;
  d.bl = (g.padLeft + d.s - 1) / d.s;
  d.zh = std::max<int64_t>(0, outH) + (g.kh - 1 - g.padTop + d.s * d.bt) / d.s;
  d.zw = std::max<int64_t>(0, outW) + (g.kw - 1 - g.padLeft + d.s * d.bl) / d.s;
  return d;
}

// Row u (of zw floats) of a channel zero-padded by bt rows and bl columns.
void padRow(const float* x, int64_t h, int64_t w, int64_t bt, int64_t bl, int64_t u, int64_t zw, float* d) {
  const int64_t iy = u - bt;
  if (iy < 0 || iy >= h) {
    std::memset(d, 0, static_cast<size_t>(zw) * sizeof(float));
    return;
  }
  const int64_t lead = std::min(bl, zw), copy = std::max<int64_t>(0, std::min(w, zw - bl));
  std::memset(d, 0, static_cast<size_t>(lead) * sizeof(float));
  std::memcpy(d + lead, x + iy * w, static_cast<size_t>(copy) * sizeof(float));
  std::memset(d + lead + copy, 0, static_cast<size_t>(zw - lead - copy) * sizeof(float));
}

class Conv2dGemm final : public Conv2dKernel {
 public:
  Conv2dGemm(ConvAlgo algo, Isa isa, const ConvGeometry& g, const float* weights, const float* bias,
             const Epilogue& epilogue)
      : algo_(algo), g_(g), gemm_(gemm::gemmKernel(isa)), pack_(conv::convPackers(isa)), epilogue_(epilogue) {
    if (pack_.nr != gemm_.nr) throw std::logic_error("conv2d: packer and micro-kernel disagree on NR");
    if (gemm_.nc < 8 * gemm_.nr) throw std::logic_error("conv2d: the GEMM's nc is under 8 NR");
    mg_ = g.cout / g.groups;
    kg_ = g.cin / g.groups * g.kh * g.kw;
    // Equal K blocks, so that no block is a short remainder.
    kc_ = gemm::equalKBlock(gemm_, kg_);
    kBlocks_ = ceilDiv(kg_, kc_);
    aPanelStride_ = kg_ * gemm_.mr;
    aGroupStride_ = gemm::packedASize(mg_, kg_, gemm_.mr);
    packedA_ = allocAlignedFloats(aGroupStride_ * g.groups);
    for (int64_t grp = 0; grp < g.groups; ++grp)
      gemm::packA(weights + grp * mg_ * kg_, mg_, kg_, kg_, gemm_.mr, packedA_.get() + grp * aGroupStride_);
    if (bias) bias_.assign(bias, bias + g.cout);
  }

  size_t workspaceBytes(int64_t batch, int64_t h, int64_t w, int threads) const override {
    const int64_t outH = std::max<int64_t>(0, g_.outH(h)), outW = std::max<int64_t>(0, g_.outW(w));
    return phaseHeadBytes() + static_cast<size_t>(std::max(threads, 1)) * threadBytes(batch, outH, outW);
  }

  using Conv2dKernel::run;
  void run(const float* x, int64_t batch, int64_t h, int64_t w, const float* residual, float* y,
           void* workspace, ThreadPool& pool) const override {
    if (h + g_.padTop + g_.padBottom < g_.dilationH * (g_.kh - 1) + 1 ||
        w + g_.padLeft + g_.padRight < g_.dilationW * (g_.kw - 1) + 1)
      throw std::invalid_argument("conv2d: the kernel does not fit in the padded input");
    const int64_t outH = g_.outH(h), outW = g_.outW(w);
    const int64_t pixels = outH * outW;
    if (batch <= 0) return;
    // Small pointwise images side by side: one GEMM over all their pixels, so that each image's
    // pixels do not pad a last NR-column panel of their own; a tile's result goes through the
    // thread's buffer to its images' planes, adding the residual there.
    const bool merged = mergesImages(batch, pixels) && !(residual && epilogue_.afterResidual);
    const Plan plan = merged ? makePixelPlan(1, batch * pixels, pool.size(), mergedRows()) : makePlan(batch, outH, outW, pool.size());
    const int64_t columns = merged ? batch * pixels : pixels;
    const int64_t cinG = g_.cin / g_.groups;
    const bool phases = usesPhases();
    // Space-to-depth and direct rows: each task splits (or, at stride 1, zero-pads) the input rows
    // its tile of whole output rows needs into phase planes of its own (zh = its rows + the taps'
    // reach), then reads whole NR-pixel panels of each output row in place (indirect B: row k of a
    // panel is at its first pixel + bRows[k]) and packs only each row's last outW % NR pixels, or,
    // with many of those, packs the whole tile from the planes.
    const PhaseDims pd = phaseDims(g_, outH, outW);
    const int64_t zh = plan.rows + (pd.zh - outH), phasePlane = zh * pd.zw;
    const bool direct = phases && directPanels(outW);
    const int64_t* bRows = nullptr;
    if (phases) {
      int64_t* rows = static_cast<int64_t*>(workspace);
      for (int64_t k = 0; k < kg_; ++k) {
        const int64_t c = k / (g_.kh * g_.kw), ky = k / g_.kw % g_.kh, kx = k % g_.kw;
        const int64_t ey = ky - g_.padTop + pd.s * pd.bt, ex = kx - g_.padLeft + pd.s * pd.bl;
        const int64_t plane = (c * pd.s + ey % pd.s) * pd.s + ex % pd.s;
        rows[k] = plane * phasePlane + ey / pd.s * pd.zw + ex / pd.s;
      }
      bRows = rows;
    }
    char* threadSpace = static_cast<char*>(workspace) + phaseHeadBytes();
    const size_t stride = threadBytes(batch, outH, outW);
    const size_t panelBytes = panelBlockBytes(columns);
    pool.parallelFor(plan.tasks, [&](int64_t task, int thread) {
      const int64_t mb = task % plan.mBlocks;
      int64_t rest = task / plan.mBlocks;
      const int64_t nt = rest % plan.nTiles;
      rest /= plan.nTiles;
      const int64_t grp = rest % g_.groups, b = rest / g_.groups;
      const int64_t n0 = nt * plan.nc, n = std::min(plan.nc, columns - n0);
      const int64_t m0 = mb * plan.mc, m = std::min(plan.mc, mg_ - m0);
      char* mine = threadSpace + stride * thread;
      float* panel = reinterpret_cast<float*>(mine);
      const conv::InputView in{x + (b * g_.cin + grp * cinG) * h * w, h, w, outW};
      conv::PhaseView phaseIn{nullptr, zh, pd.zw, outW};
      if (phases) {
        float* z = reinterpret_cast<float*>(mine + panelBytes);
        phaseIn.z = z;
        const int64_t oy0 = n0 / outW, zRows = n / outW + (pd.zh - outH);
        if (pd.s == 1) {
          for (int64_t c = 0; c < cinG; ++c)
            for (int64_t u = 0; u < zRows; ++u)
              padRow(in.x + c * h * w, h, w, pd.bt, pd.bl, oy0 + u, pd.zw, z + c * phasePlane + u * pd.zw);
        } else {
          for (int64_t c = 0; c < cinG; ++c)
            for (int64_t r = 0; r < 2; ++r) {
              float* z0 = z + (c * 2 + r) * 2 * phasePlane;
              for (int64_t u = 0; u < zRows; ++u)
                pack_.splitPhaseRow(in.x + c * h * w, h, w, pd.bt, pd.bl, r, oy0 + u, pd.zw, z0 + u * pd.zw,
                                    z0 + phasePlane + u * pd.zw);
            }
        }
      }

      gemm::MacroTile t;
      t.aPanelStride = aPanelStride_;
      t.b = panel;
      const int64_t cOffset = (b * g_.cout + grp * mg_ + m0) * pixels + n0;
      float* mergedC = reinterpret_cast<float*>(mine + panelBytes);
      t.c = merged ? mergedC : y + cOffset;
      t.residual = residual && !merged ? residual + cOffset : nullptr;
      t.ldc = merged ? plan.nc : pixels;
      t.m = m;
      t.n = n;
      t.bias = bias_.empty() ? nullptr : bias_.data() + grp * mg_ + m0;
      t.epilogue = epilogue_;
      const float* a = packedA_.get() + grp * aGroupStride_ + m0 / gemm_.mr * aPanelStride_;
      for (int64_t kb = 0; kb < kBlocks_; ++kb) {
        const int64_t k0 = kb * kc_, kc = std::min(kc_, kg_ - k0);
        const int64_t panelStride = bPanelStride(kc);
        t.a = a + k0 * gemm_.mr;
        t.k = kc;
        t.accumulate = kb > 0;
        t.last = kb == kBlocks_ - 1;
        if (direct) {
          // Output row by output row (rows of the tile's own phase planes): the whole panels in
          // place, one at a time so that each one's scattered rows come into L1 once for all the
          // A panels; then the rest packed.
          const int64_t whole = outW / gemm_.nr * gemm_.nr;
          for (int64_t oy = 0; oy < n / outW; ++oy) {
            gemm::MacroTile d = t;
            d.bRows = bRows + k0;
            d.bPanelStride = gemm_.nr;
            d.n = gemm_.nr;
            for (int64_t ox = 0; ox < whole; ox += gemm_.nr) {
              d.b = phaseIn.z + oy * pd.zw + ox;
              d.c = t.c + oy * outW + ox;
              if (t.residual) d.residual = t.residual + oy * outW + ox;
              gemm_.macro(d);
            }
            if (whole < outW) {
              pack_.phaseIm2col(g_, phaseIn, k0, kc, oy * outW + whole, outW - whole, panelStride, panel);
              d.b = panel;
              d.bPanelStride = panelStride;
              d.bRows = nullptr;
              d.c = t.c + oy * outW + whole;
              if (t.residual) d.residual = t.residual + oy * outW + whole;
              d.n = outW - whole;
              gemm_.macro(d);
            }
          }
          continue;
        }
        if (algo_ == ConvAlgo::Pointwise)
          pack_.pointwise(in, g_.cin * h * w, k0, kc, n0, n, panelStride, panel);
        else if (phases)
          pack_.phaseIm2col(g_, phaseIn, k0, kc, 0, n, panelStride, panel);
        else
          pack_.im2col(g_, in, k0, kc, n0, n, panelStride, panel);
        t.bPanelStride = panelStride;
        gemm_.macro(t);
      }
      if (merged) scatterImages(mergedC, plan.nc, m, n0, n, pixels, grp * mg_ + m0, residual, y);
    });
  }

 private:
  // Whether space-to-depth and direct rows read the panels of an output row in place: all of them
  // whole, or few enough left over that packing those costs little. Otherwise a tile of whole rows
  // is packed, which then fits the packed B block: outW < 8 NR <= the GEMM's nc (checked at
  // construction).
  bool directPanels(int64_t outW) const { return outW % gemm_.nr == 0 || outW >= 8 * gemm_.nr; }

  // How one run is cut into tasks: (batch, group, N tile of nc pixels, M block of mc rows).
  // Space-to-depth and direct-rows tiles are `rows` whole output rows (nc = rows * outW).
  struct Plan {
    int64_t nc, nTiles, mc, mBlocks, tasks;
    int64_t rows = 0;
  };

  int64_t maxNc(int64_t pixels) const {
    return std::min(gemm_.nc, roundUp(std::max<int64_t>(pixels, 1), gemm_.nr));
  }

  // One spare row per B panel: panels a multiple of 4 KiB apart would all fall in the same L1 sets
  // while the packer writes them row by row.
  int64_t bPanelStride(int64_t kc) const { return (kc + 1) * gemm_.nr; }

  // Whether pointwise images this small are merged into one GEMM: when padding each one's pixels to
  // whole NR-column panels would waste more than 5 %.
  bool mergesImages(int64_t batch, int64_t pixels) const {
    return algo_ == ConvAlgo::Pointwise && batch > 1 && pixels > 0 && roundUp(pixels, gemm_.nr) * 20 > pixels * 21;
  }
  // The most output channels a merged tile has (its buffer: that many rows of nc floats).
  int64_t mergedRows() const { return std::min(roundUp(mg_, gemm_.mr), 16 * static_cast<int64_t>(gemm_.mr)); }

  // Rows [0, m) of a merged tile (columns [n0, n0 + n) of all images' pixels, in c with leading
  // dimension ldc) to channels channel0 + r of their images' planes, plus the residual.
  void scatterImages(const float* c, int64_t ldc, int64_t m, int64_t n0, int64_t n, int64_t pixels, int64_t channel0,
                     const float* residual, float* y) const {
    for (int64_t q = 0; q < n;) {
      const int64_t image = (n0 + q) / pixels, pixel = (n0 + q) % pixels, len = std::min(pixels - pixel, n - q);
      for (int64_t r = 0; r < m; ++r) {
        const int64_t at = (image * g_.cout + channel0 + r) * pixels + pixel;
        const float* from = c + r * ldc + q;
        if (residual) {
          for (int64_t i = 0; i < len; ++i) y[at + i] = from[i] + residual[at + i];
        } else {
          std::memcpy(y + at, from, static_cast<size_t>(len) * sizeof(float));
        }
      }
      q += len;
    }
  }

  bool usesPhases() const { return algo_ == ConvAlgo::SpaceToDepth || algo_ == ConvAlgo::DirectRows; }

  // Ahead of the threads' spaces where B is read from phase planes: the K rows' offsets into them.
  size_t phaseHeadBytes() const {
    if (!usesPhases()) return 0;
    return static_cast<size_t>(roundUp(kg_ * static_cast<int64_t>(sizeof(int64_t)), kAlign));
  }

  // A thread's space: its packed B block, then (space-to-depth, direct rows) its tile's planes or
  // (merged pointwise images) its tile's result.
  // Independent of the thread count, like the plan's bounds it is sized for.
  size_t threadBytes(int64_t batch, int64_t outH, int64_t outW) const {
    if (mergesImages(batch, outH * outW)) {
      const int64_t columns = batch * outH * outW;
      return panelBlockBytes(columns) + static_cast<size_t>(roundUp(mergedRows() * maxNc(columns) * 4, kAlign));
    }
    size_t bytes = panelBlockBytes(outH * outW);
    if (usesPhases() && outH > 0 && outW > 0) {
      const PhaseDims d = phaseDims(g_, outH, outW);
      const int64_t floats = g_.cin / g_.groups * d.s * d.s * (maxRows(outH, outW) + d.zh - outH) * d.zw;
      bytes += static_cast<size_t>(roundUp(floats * static_cast<int64_t>(sizeof(float)), kAlign));
    }
    return bytes;
  }

  // The most output rows a space-to-depth or direct-rows tile has, whatever the thread count. Read
  // in place, a tile splits the rows of its taps' reach (reach more than its own): enough rows to
  // amortize that, few enough that its phase planes stay in L2. Packed, a tile fits the B block.
  int64_t maxRows(int64_t outH, int64_t outW) const {
    if (directPanels(outW)) {
      const PhaseDims d = phaseDims(g_, outH, outW);
      const int64_t reach = d.zh - outH;
      const int64_t rowBytes = g_.cin / g_.groups * d.s * d.s * d.zw * static_cast<int64_t>(sizeof(float));
      return std::min(std::max<int64_t>(1, 4 * reach), std::max<int64_t>(1, (192 << 10) / rowBytes - reach));
    }
    return std::max<int64_t>(1, maxNc(outH * outW) / outW);
  }

  // The packed B block, per thread.
  size_t panelBlockBytes(int64_t pixels) const {
    const int64_t panels = maxNc(pixels) / gemm_.nr;
    const int64_t bytes = panels * bPanelStride(kc_) * static_cast<int64_t>(sizeof(float));
    return static_cast<size_t>(roundUp(bytes, kAlign));
  }

  // Picks the tiling with the smallest estimated time per thread under the static split: each
  // thread runs ceil(tasks / threads) tasks, and a task costs its multiply-adds plus packing its B
  // block (per element and per packed row) and streaming its slice of A, all in multiply-add
  // equivalents. Bigger tiles amortize the packing; more tiles fill more threads. N tiles stay at
  // least 4 panels wide, below which re-reading A panels dominates.
  Plan makePlan(int64_t batch, int64_t outH, int64_t outW, int threads) const {
    Plan plan = makePixelPlan(batch, outH * outW, threads);
    if (usesPhases() && outW > 0) {
      // Whole rows: packed, at most max(nc, outW) pixels, within the B block (maxNc >= outW, and
      // nc <= maxNc); read in place, at most maxRows and few enough that every thread gets two.
      plan.rows = std::max<int64_t>(1, plan.nc / outW);
      if (directPanels(outW))
        plan.rows = std::min(maxRows(outH, outW), std::max<int64_t>(1, ceilDiv(outH, 2 * threads)));
      plan.nc = plan.rows * outW;
      plan.nTiles = ceilDiv(outH, plan.rows);
      plan.tasks = batch * g_.groups * plan.nTiles * plan.mBlocks;
    }
    return plan;
  }

  Plan makePixelPlan(int64_t batch, int64_t pixels, int threads, int64_t maxMc = 0) const {
    const int64_t nr = gemm_.nr, mr = gemm_.mr;
    const int64_t outer = batch * g_.groups;
    const bool pointwise = algo_ == ConvAlgo::Pointwise, phases = usesPhases();
    const double packElement = pointwise || phases ? 8 : 24, packRow = pointwise ? 100 : 400, aElement = 8;
    const int64_t minNc = std::min(maxNc(pixels), 4 * nr);
    const int64_t mPanels = ceilDiv(mg_, mr);
    Plan best{};
    double bestTime = 0;
    for (int64_t ncTry = maxNc(pixels); ncTry >= minNc; ncTry = roundUp(ncTry / 2, nr)) {
      const int64_t nc = roundUp(ceilDiv(pixels, ceilDiv(pixels, ncTry)), nr);
      const int64_t nTiles = ceilDiv(pixels, nc);
      for (int64_t mTry = 1; mTry <= mPanels; mTry = mTry < 4 ? mTry + 1 : mTry * 2) {
        const int64_t mc = ceilDiv(mPanels, mTry) * mr;
        if (maxMc > 0 && mc > maxMc) continue;
        const int64_t mBlocks = ceilDiv(mg_, mc);
        const int64_t tasks = outer * nTiles * mBlocks;
        const double task = double(kg_) * (double(mc) * nc + packElement * nc + packRow + aElement * mc);
        const double time = double(ceilDiv(tasks, threads)) * task;
        if (bestTime == 0 || time < bestTime * 0.999) {
          best = Plan{nc, nTiles, mc, mBlocks, tasks, 0};
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
    case ConvAlgo::SpaceToDepth: return "space-to-depth";
    case ConvAlgo::DirectRows: return "direct-rows";
    case ConvAlgo::Winograd: return "winograd-f43";
    case ConvAlgo::PointwiseTransposed: return "pointwise-transposed";
    case ConvAlgo::ImplicitGemmTransposed: return "implicit-gemm-transposed";
  }
  return "unknown";
}

std::vector<ConvAlgo> convAlgorithms(const ConvGeometry& geometry, Isa isa) {
  std::vector<ConvAlgo> out;
  if (!validGeometry(geometry) || !cpuSupports(isa)) return out;
  if (isPointwiseWindow(geometry)) out.push_back(ConvAlgo::Pointwise);
  out.push_back(ConvAlgo::ImplicitGemm);
  if (isSpaceToDepth(geometry)) out.push_back(ConvAlgo::SpaceToDepth);
  if (isDirectRows(geometry)) out.push_back(ConvAlgo::DirectRows);
  if (isWinogradF43(geometry)) out.push_back(ConvAlgo::Winograd);
  if (isPointwiseTransposed(geometry)) out.push_back(ConvAlgo::PointwiseTransposed);
  if (isImplicitGemmTransposed(geometry)) out.push_back(ConvAlgo::ImplicitGemmTransposed);
  return out;
}

std::unique_ptr<Conv2dKernel> Conv2dKernel::create(ConvAlgo algo, Isa isa, const ConvGeometry& geometry,
                                                   const float* weights, const float* bias,
                                                   const Epilogue& epilogue) {
  if (!validGeometry(geometry)) throw std::invalid_argument("conv2d: invalid geometry");
  if (!weights) throw std::invalid_argument("conv2d: weights are null");
  if (!cpuSupports(isa)) throw std::invalid_argument(std::string("conv2d: this CPU cannot run ") + isaName(isa));
  if (algo == ConvAlgo::Pointwise && !isPointwiseWindow(geometry))
    throw std::invalid_argument("conv2d: pointwise needs a 1x1 kernel, stride 1, no padding, dilation 1");
  if (algo == ConvAlgo::SpaceToDepth && !isSpaceToDepth(geometry))
    throw std::invalid_argument("conv2d: space-to-depth needs stride 2, dilation 1, a kernel wider than 1x1");
  if (algo == ConvAlgo::DirectRows && !isDirectRows(geometry))
    throw std::invalid_argument("conv2d: direct rows needs stride 1, dilation 1, a kernel wider than 1x1");
  if (algo == ConvAlgo::Winograd) return makeConv2dWinograd(isa, geometry, weights, bias, epilogue);
  if (algo == ConvAlgo::PointwiseTransposed || algo == ConvAlgo::ImplicitGemmTransposed)
    return makeConv2dTransposed(algo, isa, geometry, weights, bias, epilogue);
  if (algo != ConvAlgo::Pointwise && algo != ConvAlgo::ImplicitGemm && algo != ConvAlgo::SpaceToDepth &&
      algo != ConvAlgo::DirectRows)
    throw std::invalid_argument("conv2d: unknown algorithm");
  return std::make_unique<Conv2dGemm>(algo, isa, geometry, weights, bias, epilogue);
}

}  // namespace kiln
