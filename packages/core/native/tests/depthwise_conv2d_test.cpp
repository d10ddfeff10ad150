#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <new>
#include <string>
#include <vector>

#include "check.h"
#include "kernels/depthwise_conv2d.h"

using namespace kiln;

namespace {

struct Family {
  const char* name;
  int64_t kh, kw, sh, sw, pt, pl, pb, pr, dh, dw;
};

// 3x3 at stride 1 and 2 runs straight from the input rows on AVX2 and AVX-512 (the padding read as
// zero by masked loads: pads over 1 too), on the phase planes in scalar code; other stride 1 and 2
// windows take the phase-plane path; dilation and stride 3 the row path.
const Family kFamilies[] = {
    {"3x3 pad 1", 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},
    {"3x3 no pad", 3, 3, 1, 1, 0, 0, 0, 0, 1, 1},
    {"3x3 stride 2 pad 1", 3, 3, 2, 2, 1, 1, 1, 1, 1, 1},
    {"3x3 stride 2 pads 0,1,1,0", 3, 3, 2, 2, 0, 1, 1, 0, 1, 1},
    {"3x3 stride 2 pads 2,2,0,3", 3, 3, 2, 2, 2, 2, 0, 3, 1, 1},
    {"3x3 pads 0,2,2,1", 3, 3, 1, 1, 0, 2, 2, 1, 1, 1},
    {"5x5 stride 2 pad 2", 5, 5, 2, 2, 2, 2, 2, 2, 1, 1},
    {"5x5 pad 2", 5, 5, 1, 1, 2, 2, 2, 2, 1, 1},
    {"2x2 stride 2", 2, 2, 2, 2, 0, 0, 0, 0, 1, 1},
    {"4x3 stride 2 pads 1,0,2,1", 4, 3, 2, 2, 1, 0, 2, 1, 1, 1},
    {"1x1", 1, 1, 1, 1, 0, 0, 0, 0, 1, 1},
    {"3x3 dilation 2 pad 2 (rows)", 3, 3, 1, 1, 2, 2, 2, 2, 2, 2},
    {"3x3 stride 3 pad 1 (rows)", 3, 3, 3, 3, 1, 1, 1, 1, 1, 1},
    {"3x3 stride 2,1 pad 1 (rows)", 3, 3, 2, 1, 1, 1, 1, 1, 1, 1},
};
const int64_t kChannels[] = {2, 3, 17};  // depthwise needs groups > 1
const int64_t kSizes[][2] = {{1, 1}, {2, 5}, {7, 7}, {13, 11}, {40, 40}, {6, 55}};
const Epilogue kEpilogues[] = {{Activation::None}, {Activation::Silu}, {Activation::Clip, 0.f, 0.6f}, {Activation::Relu}};

constexpr size_t kGuardFloats = 32;

}  // namespace

void testDepthwiseConv2d() {
  const int before = kt::failures();
  int runs = 0;
  double maxErr = 0;
  kt::Random rng(77);
  for (const Family& f : kFamilies) {
    const int familyFailures = kt::failures();
    for (int i = 0; i < 15; ++i) {
      ConvGeometry g;
      g.kh = f.kh, g.kw = f.kw, g.strideH = f.sh, g.strideW = f.sw;
      g.padTop = f.pt, g.padLeft = f.pl, g.padBottom = f.pb, g.padRight = f.pr, g.dilationH = f.dh, g.dilationW = f.dw;
      g.cin = g.cout = g.groups = kChannels[i % 3];
      int64_t h = kSizes[i % std::size(kSizes)][0], w = kSizes[i % std::size(kSizes)][1];
      if (h + g.padTop + g.padBottom < g.dilationH * (g.kh - 1) + 1) h += g.dilationH * g.kh;
      if (w + g.padLeft + g.padRight < g.dilationW * (g.kw - 1) + 1) w += g.dilationW * g.kw;
      const int64_t batch = i % 4 == 3 ? 2 : 1;
      const Epilogue epilogue = kEpilogues[i % 4];
      const std::vector<float> x = rng.vector(batch * g.cin * h * w);
      const std::vector<float> weights = rng.vector(g.cout * g.kh * g.kw);
      const std::vector<float> bias = rng.vector(g.cout);
      const int64_t ySize = batch * g.cout * g.outH(h) * g.outW(w);
      std::vector<float> expected(ySize);
      conv2dReference(g, x.data(), batch, h, w, weights.data(), bias.data(), epilogue, expected.data());
      for (Isa isa : supportedIsas()) {
        const DepthwiseConv2d kernel(isa, g, weights.data(), bias.data(), epilogue);
        for (int threads : {1, 3}) {
          ThreadPool pool(threads);
          std::vector<float> y(ySize + 2 * kGuardFloats, -1234.f);
          const size_t wsBytes = kernel.workspaceBytes(h, w, threads);
          std::vector<float, std::allocator<float>> ws(wsBytes / sizeof(float) + 16, std::numeric_limits<float>::quiet_NaN());
          float* aligned = ws.data() + (16 - reinterpret_cast<uintptr_t>(ws.data()) / sizeof(float) % 16) % 16;
          kernel.run(x.data(), batch, h, w, y.data() + kGuardFloats, aligned, pool);
          ++runs;
          for (size_t k = 0; k < kGuardFloats; ++k)
            KT_CHECK(y[k] == -1234.f && y[y.size() - 1 - k] == -1234.f, "%s: wrote outside the output (%s)", f.name, isaName(isa));
          for (int64_t k = 0; k < ySize; ++k) {
            const double err = std::fabs(y[kGuardFloats + k] - expected[k]);
            maxErr = std::max(maxErr, err);
            if (!(err <= 1e-5 * (1 + std::fabs(expected[k])))) {
              KT_CHECK(false, "%s c%lld %lldx%lld batch %lld %s %d threads: y[%lld] = %g, expected %g", f.name,
                       static_cast<long long>(g.cin), static_cast<long long>(h), static_cast<long long>(w),
                       static_cast<long long>(batch), isaName(isa), threads, static_cast<long long>(k),
                       y[kGuardFloats + k], expected[k]);
              break;
            }
          }
        }
      }
    }
    (void)familyFailures;
  }
  kt::reportGroup("depthwise conv2d", before, kt::format("%zu families x 15 cases x ISAs x {1, 3} threads = %d runs, max err %.2g",
                                                         std::size(kFamilies), runs, maxErr));
}
