// The INT8 convolution on every path this CPU supports against qconv2dReference: int32 sums exactly
// equal, u8 outputs within 1, float outputs within 1e-5 of the epilogue's magnitude; guarded
// outputs and workspace; runs on 1 and 3 threads bit-identical.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "check.h"
#include "kernels/qconv2d.h"

using namespace kiln;

namespace {

enum class Mode { Int32, Float, U8 };
const char* modeName(Mode m) { return m == Mode::Int32 ? "int32" : m == Mode::Float ? "float" : "u8"; }

struct QCase {
  ConvGeometry g;
  int64_t batch = 1, h = 1, w = 1;
  Epilogue epilogue;
  bool bias = true, residual = false, extreme = false;
  int32_t xZeroPoint = 0;
};

struct Family {
  const char* name;
  int64_t kh, kw, sh, sw, pt, pl, pb, pr, dh, dw;
};

const Family kFamilies[] = {
    {"1x1", 1, 1, 1, 1, 0, 0, 0, 0, 1, 1},
    {"1x1 stride 2", 1, 1, 2, 2, 0, 0, 0, 0, 1, 1},
    {"3x3 pad 1", 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},
    {"3x3 stride 2 pad 1", 3, 3, 2, 2, 1, 1, 1, 1, 1, 1},
    {"3x3 no pad", 3, 3, 1, 1, 0, 0, 0, 0, 1, 1},
    {"3x3 pads 0,1,2,0", 3, 3, 1, 1, 0, 1, 2, 0, 1, 1},
    {"3x3 dilation 2 pad 2", 3, 3, 1, 1, 2, 2, 2, 2, 2, 2},
    {"6x6 stride 2 pad 2 (YOLOv5 stem)", 6, 6, 2, 2, 2, 2, 2, 2, 1, 1},
    {"2x5 stride 1,2 dilation 2,1 pads 1,0,0,3", 2, 5, 1, 2, 1, 0, 0, 3, 2, 1},
};
const int64_t kCin[] = {1, 3, 5, 7, 13, 17, 33, 64};
const int64_t kCout[] = {1, 3, 7, 16, 17, 33, 70, 9};
const int64_t kSizes[][2] = {{1, 1}, {5, 7}, {13, 11}, {23, 19}, {40, 33}};
const Epilogue kEpilogues[] = {{Activation::None}, {Activation::Relu}, {Activation::Silu}, {Activation::Sigmoid}};
const int32_t kZeroPoints[] = {0, 128, 255, 37};

std::vector<QCase> casesOf(const Family& f, int fi) {
  std::vector<QCase> out;
  for (int i = 0; i < 10; ++i) {
    QCase c;
    ConvGeometry& g = c.g;
    g.kh = f.kh, g.kw = f.kw, g.strideH = f.sh, g.strideW = f.sw;
    g.padTop = f.pt, g.padLeft = f.pl, g.padBottom = f.pb, g.padRight = f.pr;
    g.dilationH = f.dh, g.dilationW = f.dw;
    g.cin = kCin[(i + fi) % 8], g.cout = kCout[(i * 3 + fi) % 8];
    const auto& size = kSizes[(i + 2 * fi) % 5];
    c.h = size[0], c.w = size[1];
    if (c.h * c.w > 400 && g.cin * g.cout > 500) g.cin = 5;
    c.batch = i % 3 == 1 ? 2 : 1;
    c.epilogue = kEpilogues[(i + fi) % 4];
    c.bias = i % 4 != 3;
    c.residual = i % 2 == 1;
    c.extreme = i == 9 || i == 10;
    c.xZeroPoint = kZeroPoints[(i + fi) % 4];
    if (c.h + g.padTop + g.padBottom < g.dilationH * (g.kh - 1) + 1) c.h += g.dilationH * g.kh;
    if (c.w + g.padLeft + g.padRight < g.dilationW * (g.kw - 1) + 1) c.w += g.dilationW * g.kw;
    out.push_back(c);
  }
  return out;
}

std::string describe(const QCase& c) {
  const ConvGeometry& g = c.g;
  return kt::format("cin %lld cout %lld batch %lld %lldx%lld act %d x_zp %d%s%s%s", (long long)g.cin,
                    (long long)g.cout, (long long)c.batch, (long long)c.h, (long long)c.w,
                    static_cast<int>(c.epilogue.act), c.xZeroPoint, c.bias ? "" : " no-bias",
                    c.residual ? " residual" : "", c.extreme ? " extreme" : "");
}

struct AlignedDelete {
  void operator()(uint8_t* p) const { ::operator delete[](p, std::align_val_t(64)); }
};
constexpr size_t kGuard = 256;
constexpr uint8_t kGuardByte = 0xa5;

// Runs the kernel into a guarded output and workspace; returns the output bytes without the guards.
std::vector<uint8_t> runGuarded(const QConv2dKernel& k, const QCase& c, const std::vector<uint8_t>& x,
                                const uint8_t* residual, size_t yBytes, ThreadPool& pool, const std::string& what) {
  std::vector<uint8_t> y(yBytes + 2 * kGuard, kGuardByte);
  std::fill(y.begin() + kGuard, y.end() - kGuard, uint8_t(0x5a));
  const size_t ws = k.workspaceBytes(c.batch, c.h, c.w, pool.size());
  std::unique_ptr<uint8_t[], AlignedDelete> space(
      static_cast<uint8_t*>(::operator new[](ws + kGuard, std::align_val_t(64))));
  std::memset(space.get() + ws, kGuardByte, kGuard);
  k.run(x.data(), c.batch, c.h, c.w, y.data() + kGuard, residual, space.get(), pool);
  bool intact = true;
  for (size_t i = 0; i < kGuard; ++i)
    intact = intact && y[i] == kGuardByte && y[y.size() - 1 - i] == kGuardByte && space[ws + i] == kGuardByte;
  KT_CHECK(intact, "%s wrote outside its output or workspace", what.c_str());
  return std::vector<uint8_t>(y.begin() + kGuard, y.end() - kGuard);
}

struct Stats {
  int runs = 0;
  int u8Off = 0;  // u8 outputs one step away from the reference
};

void checkCase(const QCase& c, ThreadPool* const (&pools)[2], kt::Random& rng, Stats* stats) {
  const ConvGeometry& g = c.g;
  const int64_t outPixels = g.outH(c.h) * g.outW(c.w), yCount = c.batch * g.cout * outPixels;
  const int64_t perChannel = g.cin * g.kh * g.kw;
  std::vector<uint8_t> x(c.batch * g.cin * c.h * c.w);
  // Extreme inputs are all 255 or all 0 (the two ends of the AVX2 kernel's s8 shift).
  for (auto& v : x) v = c.extreme ? (c.xZeroPoint % 2 ? 0 : 255) : static_cast<uint8_t>(rng.next() >> 24);
  std::vector<float> wts = rng.vector(g.cout * perChannel, -0.5f, 0.5f);
  // Extreme: every weight quantizes to +-qmax (all +qmax in some channels).
  if (c.extreme)
    for (int64_t i = 0; i < (int64_t)wts.size(); ++i) wts[i] = (i / perChannel) % 3 == 0 || (rng.next() & 1) ? 1.f : -1.f;
  const std::vector<float> bias = rng.vector(g.cout, -1.f, 1.f);
  const float* b = c.bias ? bias.data() : nullptr;
  std::vector<uint8_t> res(yCount);
  for (auto& v : res) v = static_cast<uint8_t>(rng.next() >> 24);
  const QuantParams input{0.02f, c.xZeroPoint};
  QResidual residual;
  residual.present = c.residual;
  residual.quant = {0.03f, 100};
  const uint8_t* resData = c.residual ? res.data() : nullptr;

  for (Int8Path path : {Int8Path::Scalar, Int8Path::Avx2, Int8Path::AvxVnni, Int8Path::Avx512Vnni, Int8Path::Amx}) {
    if (!int8PathSupported(path)) continue;
    const int qmax = int8WeightMax(path);
    std::vector<int32_t> acc(yCount);
    std::vector<float> refFloat(yCount);
    QConvOutput floatOut;
    floatOut.isFloat = true;
    qconv2dReference(g, qmax, x.data(), c.batch, c.h, c.w, wts.data(), b, c.epilogue, input, floatOut, residual,
                     resData, refFloat.data(), acc.data());
    // The u8 output's range spans the float outputs.
    float lo = 0.f, hi = 0.f;
    for (float v : refFloat) lo = std::min(lo, v), hi = std::max(hi, v);
    QConvOutput u8Out;
    u8Out.quant.scale = std::max(hi - lo, 1e-3f) / 255.f;
    u8Out.quant.zeroPoint = static_cast<int32_t>(std::nearbyint(-lo / u8Out.quant.scale));
    std::vector<uint8_t> refU8(yCount);
    qconv2dReference(g, qmax, x.data(), c.batch, c.h, c.w, wts.data(), b, c.epilogue, input, u8Out, residual, resData,
                     refU8.data());

    for (Mode mode : {Mode::Int32, Mode::Float, Mode::U8}) {
      QConvOutput out = mode == Mode::U8 ? u8Out : QConvOutput{};
      out.isFloat = mode == Mode::Float;
      out.isInt32 = mode == Mode::Int32;
      const QResidual r = mode == Mode::Int32 ? QResidual{} : residual;
      const auto kernel = QConv2dKernel::create(path, g, wts.data(), b, c.epilogue, input, out, r);
      const size_t yBytes = yCount * (mode == Mode::U8 ? 1 : 4);
      std::vector<uint8_t> first;
      for (ThreadPool* pool : pools) {
        const std::string what = kt::format("%s %s %d thread(s) [%s]", int8PathName(path), modeName(mode),
                                            pool->size(), describe(c).c_str());
        const std::vector<uint8_t> y =
            runGuarded(*kernel, c, x, mode == Mode::Int32 ? nullptr : resData, yBytes, *pool, what);
        ++stats->runs;
        int64_t bad = 0, firstBad = -1;
        for (int64_t i = 0; i < yCount; ++i) {
          bool ok;
          if (mode == Mode::Int32) {
            int32_t v;
            std::memcpy(&v, y.data() + i * 4, 4);
            ok = v == acc[i];
          } else if (mode == Mode::Float) {
            float v;
            std::memcpy(&v, y.data() + i * 4, 4);
            const int64_t ch = i / outPixels % g.cout;
            // The rounding of each epilogue step scales with the terms, not their sum.
            const double terms = std::fabs(refFloat[i]) + std::fabs(acc[i] * 0.02 * 0.5 / 127) * 4 +
                                 (b ? std::fabs(b[ch]) : 0) + (c.residual ? 8.0 : 0.0);
            ok = std::fabs(double(v) - refFloat[i]) <= 1e-5 * terms + 1e-30;
          } else {
            const int d = int(y[i]) - int(refU8[i]);
            ok = d >= -1 && d <= 1;
            stats->u8Off += d != 0;
          }
          if (!ok && bad++ == 0) firstBad = i;
        }
        KT_CHECK(bad == 0, "%s: %lld wrong outputs, first at %lld", what.c_str(), (long long)bad, (long long)firstBad);
        if (first.empty())
          first = y;
        else
          KT_CHECK(first == y, "%s: differs from the 1-thread result", what.c_str());
        const std::vector<uint8_t> again =
            runGuarded(*kernel, c, x, mode == Mode::Int32 ? nullptr : resData, yBytes, *pool, what);
        KT_CHECK(again == y, "%s: a second run differs", what.c_str());
      }
    }
  }
}

// What the extreme case rests on: every quantized weight is +-qmax and the sums reach
// 255 * qmax * K without saturating.
void checkWeightQuantization() {
  const float w[] = {1.f, -1.f, 0.25f, 0.f, 0.f, 0.f, 0.f, 0.f};
  int8_t q[8];
  float s[2];
  quantizeWeightsPerChannel(w, 2, 4, 63, q, s);
  KT_CHECK(q[0] == 63 && q[1] == -63 && q[2] == 16 && q[3] == 0, "quantized %d %d %d %d", q[0], q[1], q[2], q[3]);
  KT_CHECK(s[0] == 1.f / 63 && s[1] == 1.f, "scales %g %g", s[0], s[1]);
}

}  // namespace

void testQConv2d() {
  ThreadPool pool1(1), pool3(3);
  ThreadPool* const pools[2] = {&pool1, &pool3};
  std::string paths;
  for (Int8Path p : {Int8Path::Scalar, Int8Path::Avx2, Int8Path::AvxVnni, Int8Path::Avx512Vnni, Int8Path::Amx})
    if (int8PathSupported(p)) paths += std::string(int8PathName(p)) + " ";
  int before = kt::failures();
  checkWeightQuantization();
  kt::reportGroup("qconv2d weight quantization", before, "per-channel symmetric, qmax 63");
  kt::Random rng(11);
  for (int fi = 0; fi < int(sizeof kFamilies / sizeof kFamilies[0]); ++fi) {
    before = kt::failures();
    Stats stats;
    for (const QCase& c : casesOf(kFamilies[fi], fi)) checkCase(c, pools, rng, &stats);
    kt::reportGroup(std::string("qconv2d ") + kFamilies[fi].name, before,
                    kt::format("%d runs on %s(u8 outputs off by one: %d)", stats.runs, paths.c_str(), stats.u8Off));
  }
  // A YOLOv5-sized layer: many panels and tiles on each side, 3 threads.
  before = kt::failures();
  Stats stats;
  QCase big;
  big.g.cin = 32, big.g.cout = 64, big.g.kh = big.g.kw = 3, big.g.strideH = big.g.strideW = 2;
  big.g.padTop = big.g.padLeft = big.g.padBottom = big.g.padRight = 1;
  big.h = 81, big.w = 80, big.epilogue = {Activation::Silu}, big.residual = true, big.xZeroPoint = 3;
  checkCase(big, pools, rng, &stats);
  QCase wide = big;
  wide.g.cin = 130, wide.g.cout = 100, wide.g.kh = wide.g.kw = 1, wide.g.strideH = wide.g.strideW = 1;
  wide.g.padTop = wide.g.padLeft = wide.g.padBottom = wide.g.padRight = 0;
  wide.h = wide.w = 29, wide.batch = 2, wide.xZeroPoint = 200;
  checkCase(wide, pools, rng, &stats);
  kt::reportGroup("qconv2d larger layers", before, kt::format("%d runs", stats.runs));
}
