#include <algorithm>
#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>
#include <memory>
#include <new>
#include <stdexcept>
#include <vector>

#include "check.h"
#include "kernels/activation_scalar.h"
#include "kernels/conv2d.h"

using namespace kiln;

namespace {

struct Case {
  ConvGeometry g;
  int64_t batch, h, w;
  Epilogue epilogue;
  bool bias;
  bool residual = false;  // a tensor shaped like the output, added before or after the activation
};

// A family of geometries sharing kernel shape, stride, padding, dilation and grouping; the channel
// counts, map size, batch and epilogue vary per case.
struct Family {
  const char* name;
  int64_t kh, kw, sh, sw, pt, pl, pb, pr, dh, dw;
  enum Groups { One, Two, Depthwise, DepthwiseX2 } groups;
};

const int64_t kChannels[] = {1, 3, 5, 7, 13, 17, 33, 70};
const int64_t kSizes[][2] = {{1, 1}, {5, 7}, {13, 11}, {40, 40}};
const Epilogue kEpilogues[] = {
    {Activation::None}, {Activation::Relu}, {Activation::Sigmoid}, {Activation::Silu},
    {Activation::LeakyRelu, 0.1f}, {Activation::Clip, -0.5f, 0.7f}, {Activation::HardSwish},
    {Activation::HardSigmoid, 0.2f, 0.5f}};

const Family kFamilies[] = {
    {"1x1", 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, Family::One},
    {"1x1 groups=2", 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, Family::Two},
    {"1x1 stride 2", 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, Family::One},
    {"3x3 pad 1", 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, Family::One},
    {"3x3 no pad", 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, Family::One},
    {"3x3 stride 2 pad 1", 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, Family::One},
    {"3x3 asymmetric pads 0,1,2,0", 3, 3, 1, 1, 0, 1, 2, 0, 1, 1, Family::One},
    {"3x3 dilation 2 pad 2", 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, Family::One},
    {"3x3 groups=2 pad 1", 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, Family::Two},
    {"3x3 depthwise pad 1", 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, Family::Depthwise},
    {"3x3 depthwise x2 stride 2", 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, Family::DepthwiseX2},
    {"5x5 pad 2", 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, Family::One},
    {"6x6 stride 2 pad 2 (YOLOv5 stem)", 6, 6, 2, 2, 2, 2, 2, 2, 1, 1, Family::One},
    {"2x5 stride 1,2 dilation 2,1 pads 1,0,0,3", 2, 5, 1, 2, 1, 0, 0, 3, 2, 1, Family::One},
    // Stride 2 with odd, asymmetric and no padding: the space-to-depth borders and phases.
    {"3x3 stride 2 no pad", 3, 3, 2, 2, 0, 0, 0, 0, 1, 1, Family::One},
    {"4x4 stride 2 pads 1,2,0,3", 4, 4, 2, 2, 1, 2, 0, 3, 1, 1, Family::One},
    {"5x3 stride 2 pads 2,1,1,0 groups=2", 5, 3, 2, 2, 2, 1, 1, 0, 1, 1, Family::Two},
    {"2x2 stride 2", 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, Family::One},
    {"6x6 stride 2 pads 3,1,2,2", 6, 6, 2, 2, 3, 1, 2, 2, 1, 1, Family::One},
    // Winograd's other paddings: input patches hanging over every side by different amounts.
    {"3x3 asymmetric pads 2,0,1,2", 3, 3, 1, 1, 2, 0, 1, 2, 1, 1, Family::One},
};

std::vector<Case> casesOf(const Family& f, int familyIndex) {
  std::vector<Case> out;
  for (int i = 0; i < 16; ++i) {
    Case c;
    ConvGeometry& g = c.g;
    g.kh = f.kh, g.kw = f.kw, g.strideH = f.sh, g.strideW = f.sw;
    g.padTop = f.pt, g.padLeft = f.pl, g.padBottom = f.pb, g.padRight = f.pr;
    g.dilationH = f.dh, g.dilationW = f.dw;
    int64_t cin = kChannels[i % 8], cout = kChannels[(i * 5 + familyIndex + 3) % 8];
    switch (f.groups) {
      case Family::One: break;
      case Family::Two: cin *= 2, cout *= 2, g.groups = 2; break;
      case Family::Depthwise: cout = cin, g.groups = cin; break;
      case Family::DepthwiseX2: cout = 2 * cin, g.groups = cin; break;
    }
    g.cin = cin, g.cout = cout;
    const auto& size = kSizes[(i + familyIndex) % 4];
    c.h = size[0], c.w = size[1];
    // Keep the biggest reference runs few: the 40x40 maps get small channel counts past the first pass.
    if (c.h == 40 && i >= 8) g.cin = g.groups * std::max<int64_t>(1, g.cin / g.groups / 4);
    c.batch = (i % 3 == 2) ? 2 : 1;
    c.epilogue = kEpilogues[(i + familyIndex) % 8];
    c.bias = i % 4 != 3;
    c.residual = i % 2 == 1;
    c.epilogue.afterResidual = i % 4 == 1;  // half the residual cases: act(conv + bias + residual)
    // The padded input must hold at least one window.
    if (c.h + g.padTop + g.padBottom < g.dilationH * (g.kh - 1) + 1) c.h += g.dilationH * g.kh;
    if (c.w + g.padLeft + g.padRight < g.dilationW * (g.kw - 1) + 1) c.w += g.dilationW * g.kw;
    out.push_back(c);
  }
  return out;
}

struct AlignedDelete {
  void operator()(char* p) const { ::operator delete[](p, std::align_val_t(64)); }
};

constexpr size_t kGuardFloats = 64;
constexpr uint32_t kGuardBits = 0x7fc0dead;  // a NaN no kernel produces

float guardValue() {
  float f;
  std::memcpy(&f, &kGuardBits, 4);
  return f;
}
bool isGuard(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b == kGuardBits;
}

// Runs the kernel into a NaN-filled output between guard zones, with a guarded workspace; checks that
// no guard was touched. Returns the output without the guards.
std::vector<float> runGuarded(const Conv2dKernel& kernel, const Case& c, const std::vector<float>& x,
                              const std::vector<float>& residual, ThreadPool& pool, const char* what) {
  const int64_t ySize = c.batch * c.g.cout * c.g.outH(c.h) * c.g.outW(c.w);
  std::vector<float> y(ySize + 2 * kGuardFloats, guardValue());
  std::fill(y.begin() + kGuardFloats, y.end() - kGuardFloats, std::numeric_limits<float>::quiet_NaN());
  const size_t wsBytes = kernel.workspaceBytes(c.batch, c.h, c.w, pool.size());
  const size_t wsTotal = wsBytes + kGuardFloats * sizeof(float);
  std::unique_ptr<char[], AlignedDelete> ws(static_cast<char*>(::operator new[](wsTotal, std::align_val_t(64))));
  float* wsGuard = reinterpret_cast<float*>(ws.get() + wsBytes);
  for (size_t i = 0; i < kGuardFloats; ++i) wsGuard[i] = guardValue();
  kernel.run(x.data(), c.batch, c.h, c.w, c.residual ? residual.data() : nullptr, y.data() + kGuardFloats, ws.get(),
             pool);
  bool guardsIntact = true;
  for (size_t i = 0; i < kGuardFloats; ++i)
    guardsIntact = guardsIntact && isGuard(y[i]) && isGuard(y[y.size() - 1 - i]) && isGuard(wsGuard[i]);
  KT_CHECK(guardsIntact, "%s wrote outside its output or workspace", what);
  return std::vector<float>(y.begin() + kGuardFloats, y.end() - kGuardFloats);
}

std::string describe(const Case& c) {
  const ConvGeometry& g = c.g;
  return kt::format("cin %lld cout %lld groups %lld, batch %lld, %lldx%lld, act %d%s%s", (long long)g.cin,
                    (long long)g.cout, (long long)g.groups, (long long)c.batch, (long long)c.h, (long long)c.w,
                    static_cast<int>(c.epilogue.act), c.bias ? "" : ", no bias",
                    c.residual ? ", residual" : "");
}

// The largest error allowed, relative to 1 + |expected|. Winograd F(4x4, 3x3) rounds more than a
// plain dot product: its transforms scale values by up to 5 (input) and 8 (output) and then cancel,
// so its rounding grows with the accumulation's magnitude, sqrt(taps) for these inputs in [-1, 1].
// Its worst error measured over these cases is 5.2e-6 sqrt(taps) (cin 64); a wrong transform
// point is off by the outputs' own magnitude.
double tolerance(ConvAlgo algo, const ConvGeometry& g) {
  if (algo == ConvAlgo::Winograd) return 2e-5 * std::sqrt(double(g.cin / g.groups * g.kh * g.kw));
  return 1e-4;
}

// Every ISA and algorithm on pools of 1 and 3 threads against the reference, each run twice.
void checkCase(const Case& c, const std::vector<Isa>& isas, ThreadPool* const (&pools)[2], kt::Random& rng,
               int* runs, double* worst) {
  const ConvGeometry& g = c.g;
  const std::vector<float> x = rng.vector(c.batch * g.cin * c.h * c.w);
  const std::vector<float> wts = rng.vector(g.cout * (g.cin / g.groups) * g.kh * g.kw);
  const std::vector<float> bias = rng.vector(g.cout);
  const float* b = c.bias ? bias.data() : nullptr;
  std::vector<float> ref(c.batch * g.cout * g.outH(c.h) * g.outW(c.w));
  const bool actLast = c.residual && c.epilogue.afterResidual;
  conv2dReference(g, x.data(), c.batch, c.h, c.w, wts.data(), b, actLast ? Epilogue{} : c.epilogue, ref.data());
  std::vector<float> residual;
  if (c.residual) {
    residual = rng.vector(ref.size());
    for (size_t i = 0; i < ref.size(); ++i) ref[i] += residual[i];
  }
  if (actLast)
    for (float& v : ref) v = activateScalar(v, c.epilogue);

  for (Isa isa : isas) {
    for (ConvAlgo algo : convAlgorithms(g, isa)) {
      const auto kernel = Conv2dKernel::create(algo, isa, g, wts.data(), b, c.epilogue);
      std::vector<float> first;
      for (ThreadPool* pool : pools) {
        const std::string what = kt::format("%s %s %d thread(s) [%s]", isaName(isa), convAlgoName(algo),
                                            pool->size(), describe(c).c_str());
        const std::vector<float> y = runGuarded(*kernel, c, x, residual, *pool, what.c_str());
        ++*runs;
        size_t bad = 0, firstBad = 0;
        const double tol = tolerance(algo, g);
        for (size_t i = 0; i < y.size(); ++i) {
          const double err = std::fabs(double(y[i]) - ref[i]);
          if (!(err <= tol * (1 + std::fabs(ref[i])))) {
            if (bad++ == 0) firstBad = i;
          } else {
            *worst = std::fmax(*worst, err / (1 + std::fabs(ref[i])));
          }
        }
        KT_CHECK(bad == 0, "%s: %zu wrong outputs, first [%zu] = %g, expected %g", what.c_str(), bad, firstBad,
                 y[firstBad], ref[firstBad]);
        // Deterministic: a second run, and a run on another pool size, are bit-identical.
        const std::vector<float> again = runGuarded(*kernel, c, x, residual, *pool, what.c_str());
        KT_CHECK(std::memcmp(again.data(), y.data(), y.size() * sizeof(float)) == 0, "%s: second run differs",
                 what.c_str());
        if (first.empty())
          first = y;
        else
          KT_CHECK(std::memcmp(first.data(), y.data(), y.size() * sizeof(float)) == 0,
                   "%s: differs from the 1-thread result", what.c_str());
      }
    }
  }
}

Case largerCase(int64_t cin, int64_t cout, int64_t k, int64_t pad, int64_t batch, int64_t h, int64_t w,
                Epilogue epilogue, int64_t stride = 1, bool residual = false) {
  Case c;
  c.g.cin = cin, c.g.cout = cout, c.g.kh = c.g.kw = k, c.g.strideH = c.g.strideW = stride;
  c.g.padTop = c.g.padLeft = c.g.padBottom = c.g.padRight = pad;
  c.batch = batch, c.h = h, c.w = w, c.epilogue = epilogue, c.bias = true, c.residual = residual;
  return c;
}

}  // namespace

void testConv2d() {
  ThreadPool pool1(1), pool3(3);
  ThreadPool* const pools[2] = {&pool1, &pool3};
  const std::vector<Isa> isas = supportedIsas();
  std::string isaList;
  for (Isa isa : isas) isaList += std::string(isaName(isa)) + " ";
  kt::Random rng(12345);

  int familyIndex = 0;
  for (const Family& f : kFamilies) {
    const int before = kt::failures();
    int runs = 0;
    double worst = 0;
    const std::vector<Case> cases = casesOf(f, familyIndex++);
    for (const Case& c : cases) checkCase(c, isas, pools, rng, &runs, &worst);
    kt::reportGroup(kt::format("conv2d %s", f.name), before,
                    kt::format("%zu shapes x {%s} x algorithms x {1, 3} threads = %d runs, max err %.2g", cases.size(),
                               isaList.c_str(), runs, worst));
  }

  // Shapes big enough for several K blocks, N tiles and M blocks at once.
  {
    const int before = kt::failures();
    int runs = 0;
    double worst = 0;
    const Case cases[] = {
        largerCase(64, 200, 3, 1, 1, 20, 20, {Activation::Silu}),
        // A fused residual over several K blocks, N tiles and M blocks, for every algorithm.
        largerCase(64, 200, 3, 1, 1, 20, 20, {Activation::Silu}, 1, true),
        largerCase(300, 40, 1, 0, 2, 17, 23, {Activation::Silu}, 1, true),
        largerCase(40, 24, 3, 1, 1, 9, 131, {Activation::Silu}, 2, true),
        largerCase(16, 16, 3, 1, 1, 21, 64, {Activation::Silu}, 1, true),
        // ResNet's relu(conv(x) + x): the activation after the residual, over K blocks and tiles.
        largerCase(64, 200, 3, 1, 1, 20, 20, {Activation::Relu, 0.f, 0.f, true}, 1, true),
        largerCase(300, 40, 1, 0, 2, 17, 23, {Activation::Relu, 0.f, 0.f, true}, 1, true),
        largerCase(8, 24, 3, 1, 1, 96, 96, {Activation::Relu}),
        largerCase(48, 96, 1, 0, 2, 30, 30, {Activation::Sigmoid}),
        largerCase(300, 16, 1, 0, 1, 9, 9, {Activation::HardSwish}),
        largerCase(40, 300, 1, 0, 2, 7, 7, {Activation::Silu}, 1, true),  // output channels past a block
        largerCase(3, 16, 6, 2, 1, 128, 96, {Activation::Silu}),
        largerCase(3, 16, 6, 2, 1, 128, 96, {Activation::Silu}, 2),
        largerCase(3, 16, 6, 2, 2, 67, 93, {Activation::Silu}, 2),
        largerCase(64, 70, 3, 1, 1, 41, 39, {Activation::Silu}, 2),
        largerCase(16, 32, 3, 1, 1, 97, 130, {Activation::Relu}, 2),
        // Space-to-depth reading whole panels in place: output rows a multiple of every NR, and
        // rows of 131 (several K blocks in the second).
        largerCase(5, 24, 3, 1, 1, 9, 261, {Activation::Silu}, 2),
        largerCase(40, 20, 3, 1, 2, 14, 64, {Activation::Silu}, 2),
        largerCase(40, 13, 3, 1, 1, 7, 261, {Activation::None}, 2),
        largerCase(3, 16, 6, 2, 1, 40, 124, {Activation::Silu}, 2),
        // Direct rows reading whole panels in place (rows of 64 and 131; several K blocks).
        largerCase(16, 16, 3, 1, 1, 21, 64, {Activation::Silu}),
        largerCase(40, 13, 3, 1, 2, 9, 131, {Activation::HardSwish}),
        largerCase(6, 24, 5, 2, 1, 11, 128, {Activation::None}),
        // Winograd: two K blocks; blocks of tiles across odd tile rows, batch 2, no padding.
        largerCase(300, 20, 3, 1, 1, 9, 13, {Activation::Silu}, 1, true),
        largerCase(33, 70, 3, 0, 2, 45, 71, {Activation::HardSwish}, 1, true),
        // Pointwise: every panel whole, and several K blocks with a remainder.
        largerCase(64, 40, 1, 0, 1, 16, 32, {Activation::Silu}),
        largerCase(520, 20, 1, 0, 2, 9, 15, {Activation::Silu}),
    };
    for (const Case& c : cases) checkCase(c, isas, pools, rng, &runs, &worst);
    kt::reportGroup("conv2d larger shapes (several K blocks, N tiles, M blocks)", before,
                    kt::format("%zu shapes, %d runs, max err %.2g", std::size(cases), runs, worst));
  }

  // Algorithm applicability.
  const int before = kt::failures();
  ConvGeometry g3;
  g3.cin = 4, g3.cout = 4, g3.kh = g3.kw = 3, g3.padTop = g3.padLeft = g3.padBottom = g3.padRight = 1;
  ConvGeometry g1;
  g1.cin = 4, g1.cout = 8;
  const std::vector<float> w(4 * 4 * 9, 0.5f);
  for (Isa isa : isas) {
    const auto algos1 = convAlgorithms(g1, isa), algos3 = convAlgorithms(g3, isa);
    KT_CHECK(algos1.size() == 3 && algos1[0] == ConvAlgo::Pointwise && algos1[1] == ConvAlgo::ImplicitGemm &&
                 algos1[2] == ConvAlgo::PointwiseTransposed,
             "1x1 algorithms on %s", isaName(isa));
    // Pointwise transposed: one group only.
    ConvGeometry grouped1 = g1;
    grouped1.groups = 2;
    for (ConvAlgo a : convAlgorithms(grouped1, isa))
      KT_CHECK(a != ConvAlgo::PointwiseTransposed, "pointwise-transposed listed for a grouped 1x1 (%s)", isaName(isa));
    bool threwT = false;
    try {
      Conv2dKernel::create(ConvAlgo::PointwiseTransposed, isa, g3, w.data(), nullptr, {});
    } catch (const std::invalid_argument&) {
      threwT = true;
    }
    KT_CHECK(threwT, "pointwise-transposed on a 3x3 conv must throw (%s)", isaName(isa));
    KT_CHECK(algos3.size() == 4 && algos3[0] == ConvAlgo::ImplicitGemm && algos3[1] == ConvAlgo::DirectRows &&
                 algos3[2] == ConvAlgo::Winograd && algos3[3] == ConvAlgo::ImplicitGemmTransposed,
             "3x3 algorithms on %s", isaName(isa));
    ConvGeometry s2 = g3;
    s2.strideH = s2.strideW = 2;
    const auto algosS2 = convAlgorithms(s2, isa);
    KT_CHECK(algosS2.size() == 3 && algosS2[0] == ConvAlgo::ImplicitGemm &&
                 algosS2[1] == ConvAlgo::SpaceToDepth && algosS2[2] == ConvAlgo::ImplicitGemmTransposed,
             "3x3 stride 2 algorithms on %s", isaName(isa));
    // workspaceBytes is total: an empty batch, or a map the kernel does not fit, needs no plan.
    // Winograd: one group, 3x3, stride 1, dilation 1 only.
    ConvGeometry grouped = g3, dilated3 = g3, k5 = g3;
    grouped.groups = 2;
    dilated3.dilationW = 2;
    k5.kh = k5.kw = 5;
    for (const ConvGeometry& gn : {grouped, dilated3, k5, s2, g1}) {
      for (ConvAlgo a : convAlgorithms(gn, isa))
        KT_CHECK(a != ConvAlgo::Winograd, "winograd listed for a geometry it does not apply to (%s)", isaName(isa));
      bool threwW = false;
      try {
        Conv2dKernel::create(ConvAlgo::Winograd, isa, gn, w.data(), nullptr, {});
      } catch (const std::invalid_argument&) {
        threwW = true;
      }
      KT_CHECK(threwW, "winograd on a geometry it does not apply to must throw (%s)", isaName(isa));
    }
    for (const ConvGeometry& gw : {g3, s2})
      for (ConvAlgo a : convAlgorithms(gw, isa)) {
        const auto kernel = Conv2dKernel::create(a, isa, gw, w.data(), nullptr, {});
        (void)kernel->workspaceBytes(0, 8, 8, 2);
        (void)kernel->workspaceBytes(1, 1, 0, 3);
      }
    ConvGeometry s2dilated = s2, s21x1 = g1, s12 = s2;
    s2dilated.dilationW = 2;
    s21x1.strideH = s21x1.strideW = 2;
    s12.strideH = 1;
    for (const ConvGeometry& gn : {s2dilated, s21x1, s12}) {
      for (ConvAlgo a : convAlgorithms(gn, isa))
        KT_CHECK(a != ConvAlgo::SpaceToDepth, "space-to-depth listed for a geometry it does not apply to");
      // Direct rows: stride 1, dilation 1, wider than 1x1 (s12 has stride 2 across).
      ConvGeometry s1 = gn;
      s1.strideH = s1.strideW = 1;
      bool listed = false;
      for (ConvAlgo a : convAlgorithms(s1, isa)) listed = listed || a == ConvAlgo::DirectRows;
      KT_CHECK(listed == (s1.dilationH == 1 && s1.dilationW == 1 && (s1.kh > 1 || s1.kw > 1)),
               "direct rows listed wrongly (%s)", isaName(isa));
      bool threwD = false;
      try {
        Conv2dKernel::create(ConvAlgo::DirectRows, isa, gn, w.data(), nullptr, {});
      } catch (const std::invalid_argument&) {
        threwD = true;
      }
      KT_CHECK(threwD, "direct rows on a stride-2 or 1x1 geometry must throw (%s)", isaName(isa));
      bool threwS2 = false;
      try {
        Conv2dKernel::create(ConvAlgo::SpaceToDepth, isa, gn, w.data(), nullptr, {});
      } catch (const std::invalid_argument&) {
        threwS2 = true;
      }
      KT_CHECK(threwS2, "space-to-depth on a geometry it does not apply to must throw (%s)", isaName(isa));
    }
    bool threw = false;
    try {
      Conv2dKernel::create(ConvAlgo::Pointwise, isa, g3, w.data(), nullptr, {});
    } catch (const std::invalid_argument&) {
      threw = true;
    }
    KT_CHECK(threw, "pointwise on a 3x3 conv must throw std::invalid_argument (%s)", isaName(isa));
    ConvGeometry dilated = g1;
    dilated.dilationH = 2;
    const auto algosDilated = convAlgorithms(dilated, isa);
    KT_CHECK(algosDilated.size() == 2 && algosDilated[0] == ConvAlgo::ImplicitGemm &&
                 algosDilated[1] == ConvAlgo::ImplicitGemmTransposed,
             "pointwise must not apply with dilation 2 (%s)", isaName(isa));
    ConvGeometry grouped3 = g3;
    grouped3.groups = 2;
    for (ConvAlgo a : convAlgorithms(grouped3, isa))
      KT_CHECK(a != ConvAlgo::ImplicitGemmTransposed, "implicit-gemm-transposed listed for a grouped 3x3 (%s)", isaName(isa));
    bool threwIT = false;
    try {
      Conv2dKernel::create(ConvAlgo::ImplicitGemmTransposed, isa, g1, w.data(), nullptr, {});
    } catch (const std::invalid_argument&) {
      threwIT = true;
    }
    KT_CHECK(threwIT, "implicit-gemm-transposed on a pointwise conv must throw (%s)", isaName(isa));
  }
  ConvGeometry bad = g1;
  bad.groups = 3;
  bool threw = false;
  try {
    Conv2dKernel::create(ConvAlgo::ImplicitGemm, Isa::Scalar, bad, w.data(), nullptr, {});
  } catch (const std::invalid_argument&) {
    threw = true;
  }
  KT_CHECK(threw, "groups not dividing the channels must throw");
  kt::reportGroup("conv2d algorithm selection", before,
                  "Pointwise only for 1x1/stride 1/no pad/dilation 1, listed first; SpaceToDepth only for "
                  "stride 2/dilation 1 kernels wider than 1x1, DirectRows for stride 1, Winograd for 3x3 "
                  "stride 1 dilation 1 with one group; PointwiseTransposed for 1x1 with one group, ImplicitGemmTransposed for "
                  "the other windows with one group, listed last");
}
