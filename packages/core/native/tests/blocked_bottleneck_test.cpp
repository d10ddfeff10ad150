#include <array>
#include <vector>

#include "blocked_check.h"
#include "check.h"
#include "kernels/blocked_bottleneck.h"

using namespace kiln;
using namespace kiln::blocked_check;

namespace {

struct BottleneckCase {
  const char* name;
  int64_t k, stride, pt, pl, pb, pr;
};

ConvGeometry pointwiseGeometry(int64_t cin, int64_t cout) {
  ConvGeometry g;
  g.cin = cin, g.cout = cout;
  return g;
}

}  // namespace

// The fused inverted residual block, row by row and as three layers, against the three NCHW
// reference convolutions: with and without an expansion, strides 1 and 2, asymmetric pads, channel
// counts that are not multiples of 16, residuals, images too short for a band of rows; and with an
// image stem in place of the expansion.
void testBlockedBottleneck() {
  const int before = kt::failures();
  kt::Random rng(47);
  const BottleneckCase windows[] = {{"3x3 pad 1", 3, 1, 1, 1, 1, 1},
                                    {"3x3 stride 2 pad 1", 3, 2, 1, 1, 1, 1},
                                    {"3x3 stride 2 pads 0,1,1,0", 3, 2, 0, 1, 1, 0},
                                    {"5x5 stride 2 pads 1,2,3,0", 5, 2, 1, 2, 3, 0},
                                    {"1x1 stride 2", 1, 2, 0, 0, 0, 0}};
  // {cin, mid, cout}; mid == cin and an odd index: no expansion.
  const int64_t channels[][3] = {{16, 96, 24}, {24, 144, 24}, {17, 40, 17}, {32, 32, 16}, {5, 5, 20}, {40, 240, 40}};
  const int64_t sizes[][2] = {{1, 1}, {7, 7}, {14, 13}, {5, 23}, {28, 28}};
  const Epilogue clip6{Activation::Clip, 0.f, 6.f};
  int runs = 0, i = 0;
  double worst = 0;
  for (const BottleneckCase& f : windows)
    for (const auto& cc : channels)
      for (const auto& size : sizes) {
        ++i;
        const int64_t cin = cc[0], mid = cc[1], cout = cc[2];
        const bool expand = mid != cin || i % 2 == 0;
        int64_t h = size[0], w = size[1];
        if (h + f.pt + f.pb < f.k) h += f.k;
        if (w + f.pl + f.pr < f.k) w += f.k;
        ConvGeometry dw;
        dw.cin = dw.cout = dw.groups = mid, dw.kh = dw.kw = f.k, dw.strideH = dw.strideW = f.stride;
        dw.padTop = f.pt, dw.padLeft = f.pl, dw.padBottom = f.pb, dw.padRight = f.pr;
        const int64_t oh = dw.outH(h), ow = dw.outW(w), batch = i % 3 == 0 ? 2 : 1;
        const bool residual = cin == cout && f.stride == 1;
        blocked::BottleneckWeights bw;
        bw.cin = cin, bw.cout = cout, bw.depthwise = dw;
        bw.expandEpilogue = i % 4 == 1 ? Epilogue{Activation::Silu} : clip6;
        bw.depthwiseEpilogue = i % 5 == 2 ? Epilogue{} : clip6;
        bw.projectEpilogue = i % 3 == 1 ? Epilogue{Activation::Relu, 0, 0, true} : Epilogue{};
        const std::vector<float> x = rng.vector(batch * cin * h * w), ew = rng.vector(mid * cin), eb = rng.vector(mid),
                                 dww = rng.vector(mid * f.k * f.k), dwb = rng.vector(mid), pw = rng.vector(cout * mid),
                                 pb = rng.vector(cout), res = rng.vector(batch * cout * oh * ow);
        if (expand) bw.expand = ew.data(), bw.expandBias = eb.data();
        bw.depthwiseWeights = dww.data(), bw.depthwiseBias = dwb.data(), bw.project = pw.data(), bw.projectBias = pb.data();
        const std::vector<float> expanded =
            expand ? reference(pointwiseGeometry(cin, mid), x, batch, h, w, ew, eb, bw.expandEpilogue, nullptr) : x;
        const std::vector<float> filtered = reference(dw, expanded, batch, h, w, dww, dwb, bw.depthwiseEpilogue, nullptr);
        const std::vector<float> expected = reference(pointwiseGeometry(mid, cout), filtered, batch, oh, ow, pw, pb,
                                                      bw.projectEpilogue, residual ? &res : nullptr);
        ConvGeometry block = dw;  // the block's own channels with the depthwise window's size arithmetic
        block.cin = cin, block.cout = cout;
        for (Isa isa : supportedIsas())
          for (bool fused : {true, false}) {
            const blocked::BottleneckBlocked kernel(isa, bw, fused);
            for (int threads : {1, 3}) {
              ThreadPool pool(threads);
              const std::string what = kt::format("bottleneck %s %lld-%lld-%lld%s on %lldx%lld (%s)", f.name,
                                                  static_cast<long long>(cin), static_cast<long long>(mid),
                                                  static_cast<long long>(cout), expand ? "" : " no expansion",
                                                  static_cast<long long>(h), static_cast<long long>(w),
                                                  fused ? "rows" : "layers");
              worst = std::max(worst, checkBlockedRun(kernel, kernel.workspaceBytes(batch, h, w, threads), block, x, batch,
                                                      h, w, residual ? &res : nullptr, expected, pool, what.c_str(), isa,
                                                      threads, 1e-4));
              ++runs;
            }
          }
      }
  // An image stem in place of the expansion (MobileNetV2's 3x3/2 stem into its first block).
  const int64_t stems[][3] = {{3, 2, 1}, {6, 2, 2}};        // k, stride, pad
  const int64_t stemChannels[][3] = {{3, 32, 16}, {4, 24, 24}};  // cin (NCHW), mid, cout
  for (const auto& st : stems)
    for (const auto& cc : stemChannels)
      for (int64_t dwStride : {1, 2})
        for (const auto& size : {std::array<int64_t, 2>{9, 9}, std::array<int64_t, 2>{30, 23}}) {
          ++i;
          const int64_t cin = cc[0], mid = cc[1], cout = cc[2], h = size[0], w = size[1], batch = i % 2 ? 1 : 2;
          ConvGeometry stem = pointwiseGeometry(cin, mid);
          stem.kh = stem.kw = st[0], stem.strideH = stem.strideW = st[1];
          stem.padTop = stem.padLeft = stem.padBottom = stem.padRight = st[2];
          ConvGeometry dw;
          dw.cin = dw.cout = dw.groups = mid, dw.kh = dw.kw = 3, dw.strideH = dw.strideW = dwStride;
          dw.padTop = dw.padLeft = dw.padBottom = dw.padRight = 1;
          const int64_t mh = stem.outH(h), mw = stem.outW(w), oh = dw.outH(mh), ow = dw.outW(mw);
          const bool residual = mid == cout && dwStride == 1;
          blocked::BottleneckWeights bw;
          bw.cin = cin, bw.cout = cout, bw.depthwise = dw, bw.stemGeometry = stem;
          bw.stemEpilogue = clip6, bw.depthwiseEpilogue = clip6;
          const std::vector<float> x = rng.vector(batch * cin * h * w), sw = rng.vector(mid * cin * st[0] * st[0]),
                                   sb = rng.vector(mid), dww = rng.vector(mid * 9), dwb = rng.vector(mid),
                                   pw = rng.vector(cout * mid, -0.3f, 0.3f), pb = rng.vector(cout),
                                   res = rng.vector(batch * cout * oh * ow);
          bw.stem = sw.data(), bw.stemBias = sb.data(), bw.depthwiseWeights = dww.data(), bw.depthwiseBias = dwb.data();
          bw.project = pw.data(), bw.projectBias = pb.data();
          const std::vector<float> stemmed = reference(stem, x, batch, h, w, sw, sb, clip6, nullptr);
          const std::vector<float> filtered = reference(dw, stemmed, batch, mh, mw, dww, dwb, clip6, nullptr);
          const std::vector<float> expected =
              reference(pointwiseGeometry(mid, cout), filtered, batch, oh, ow, pw, pb, Epilogue{}, residual ? &res : nullptr);
          for (Isa isa : supportedIsas())
            for (bool fused : {true, false}) {
              const blocked::BottleneckBlocked kernel(isa, bw, fused);
              for (int threads : {1, 3}) {
                ThreadPool pool(threads);
                std::vector<float> rb = blockedBuffer(batch, cout, oh * ow), yb = blockedBuffer(batch, cout, oh * ow);
                std::vector<float> ws(kernel.workspaceBytes(batch, h, w, threads) / sizeof(float) + 16);
                blocked::toBlocked(isa, res.data(), batch, cout, oh * ow, rb.data(), pool);
                kernel.run(x.data(), batch, h, w, residual ? rb.data() : nullptr, yb.data(), ws.data(), pool);
                const std::string what = kt::format("bottleneck after a %lldx%lld/%lld stem, %lld-%lld-%lld, dw stride %lld on %lldx%lld (%s)",
                                                    static_cast<long long>(st[0]), static_cast<long long>(st[0]),
                                                    static_cast<long long>(st[1]), static_cast<long long>(cin),
                                                    static_cast<long long>(mid), static_cast<long long>(cout),
                                                    static_cast<long long>(dwStride), static_cast<long long>(h),
                                                    static_cast<long long>(w), fused ? "rows" : "layers");
                worst = std::max(worst, compare(expected, yb, batch, cout, oh * ow, pool, what.c_str(), isa, threads, 1e-4));
                ++runs;
              }
            }
        }
  kt::reportGroup("blocked bottleneck", before,
                  kt::format("5 windows x 6 channel triples x 5 sizes, and 16 stem cases, x ISAs x {rows, layers} x {1, 3} threads = %d runs, max err %.2g",
                             runs, worst));
}
