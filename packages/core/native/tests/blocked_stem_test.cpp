#include <vector>

#include "blocked_check.h"
#include "check.h"
#include "kernels/blocked_stem.h"

using namespace kiln;
using namespace kiln::blocked_check;

namespace {

struct StemCase {
  const char* name;
  int64_t stemK, stemStride, stemPad, convK, convStride, convPad;
};

ConvGeometry square(int64_t cin, int64_t cout, int64_t k, int64_t stride, int64_t pad) {
  ConvGeometry g;
  g.cin = cin, g.cout = cout, g.kh = g.kw = k, g.strideH = g.strideW = stride;
  g.padTop = g.padLeft = g.padBottom = g.padRight = pad;
  return g;
}

}  // namespace

// The stem and the convolution after it, row by row and one after the other, in tall and wide
// tiles, against the two NCHW reference convolutions: YOLOv5's 6x6/2 stem into a 3x3/2, a 3x3/2
// stem into a 3x3 stride 1 with a residual, a 7x7/2 stem into a 1x1 and a 5x5/2; channel counts
// that are not multiples of 16, images too short for a band of rows, two images.
void testBlockedStem() {
  const int before = kt::failures();
  kt::Random rng(59);
  const StemCase cases[] = {{"6x6/2 -> 3x3/2", 6, 2, 2, 3, 2, 1},
                            {"3x3/2 -> 3x3", 3, 2, 1, 3, 1, 1},
                            {"7x7/2 -> 1x1", 7, 2, 3, 1, 1, 0},
                            {"3x3/2 -> 5x5/2", 3, 2, 1, 5, 2, 2}};
  const int64_t channels[][3] = {{3, 16, 32}, {3, 32, 64}, {1, 20, 20}, {4, 24, 40}};  // cin, stem cout, cout
  const int64_t sizes[][2] = {{8, 8}, {23, 17}, {64, 48}};
  const Epilogue silu{Activation::Silu}, clip{Activation::Clip, 0.f, 6.f};
  int runs = 0, i = 0;
  double worst = 0;
  for (const StemCase& f : cases)
    for (const auto& cc : channels)
      for (const auto& size : sizes) {
        ++i;
        const int64_t h = size[0], w = size[1], batch = i % 2 ? 1 : 2;
        const ConvGeometry stem = square(cc[0], cc[1], f.stemK, f.stemStride, f.stemPad);
        const ConvGeometry conv = square(cc[1], cc[2], f.convK, f.convStride, f.convPad);
        const int64_t h1 = stem.outH(h), w1 = stem.outW(w), h2 = conv.outH(h1), w2 = conv.outW(w1);
        const bool residual = cc[1] == cc[2] && f.convStride == 1;
        const Epilogue stemEpilogue = i % 3 ? silu : clip, convEpilogue = i % 4 ? silu : Epilogue{};
        const std::vector<float> x = rng.vector(batch * cc[0] * h * w), sw = rng.vector(cc[1] * cc[0] * f.stemK * f.stemK),
                                 sb = rng.vector(cc[1]), cw = rng.vector(cc[2] * cc[1] * f.convK * f.convK, -0.2f, 0.2f),
                                 cb = rng.vector(cc[2]), res = rng.vector(batch * cc[2] * h2 * w2);
        const std::vector<float> mid = reference(stem, x, batch, h, w, sw, sb, stemEpilogue, nullptr);
        const std::vector<float> expected = reference(conv, mid, batch, h1, w1, cw, cb, convEpilogue, residual ? &res : nullptr);
        for (Isa isa : supportedIsas())
          for (bool wide : {false, true})
            for (bool fused : {true, false}) {
              if (wide && !blocked::WindowBlocked::hasWideTiles(isa)) continue;
              const blocked::StemConvBlocked kernel(isa, stem, sw.data(), sb.data(), stemEpilogue, conv, cw.data(), cb.data(),
                                                    convEpilogue, wide, fused);
              for (int threads : {1, 3}) {
                ThreadPool pool(threads);
                std::vector<float> rb = blockedBuffer(batch, cc[2], h2 * w2), yb = blockedBuffer(batch, cc[2], h2 * w2);
                std::vector<float> ws(kernel.workspaceBytes(batch, h, w, threads) / sizeof(float) + 16);
                blocked::toBlocked(isa, res.data(), batch, cc[2], h2 * w2, rb.data(), pool);
                kernel.run(x.data(), batch, h, w, residual ? rb.data() : nullptr, yb.data(), ws.data(), pool);
                const std::string what = kt::format("stem %s %lld-%lld-%lld on %lldx%lld (%s, %s)", f.name,
                                                    static_cast<long long>(cc[0]), static_cast<long long>(cc[1]),
                                                    static_cast<long long>(cc[2]), static_cast<long long>(h),
                                                    static_cast<long long>(w), fused ? "rows" : "layers", wide ? "wide" : "tall");
                worst = std::max(worst, compare(expected, yb, batch, cc[2], h2 * w2, pool, what.c_str(), isa, threads, 1e-4));
                ++runs;
              }
            }
      }
  kt::reportGroup("blocked stem + convolution", before,
                  kt::format("4 pairs x 4 channel triples x 3 sizes x ISAs x tile shapes x {rows, layers} x {1, 3} threads = %d runs, max err %.2g",
                             runs, worst));
}
