#include <cmath>
#include <vector>

#include "check.h"
#include "kernels/blocked_conv.h"
#include "kernels/yolo_head.h"

using namespace kiln;

// The fused 1x1 convolution + decode against the plain formula, on every ISA: channel counts below,
// at and over one K block, value counts under and over a B panel, maps smaller and larger than a
// task's pixel block, two images, 1 and 3 threads, the output between guard zones; from an NCHW and
// a channel-blocked input.
void testYoloHead() {
  const int before = kt::failures();
  kt::Random rng(123);
  int runs = 0;
  double worst = 0;
  struct Case {
    int64_t cin, anchors, outputs, h, w;
  };
  const Case cases[] = {{1, 1, 5, 1, 1}, {7, 3, 7, 5, 7}, {16, 2, 33, 3, 9}, {64, 3, 85, 20, 20}, {300, 3, 85, 6, 5}, {513, 1, 40, 13, 17}};
  constexpr int64_t kGuard = 32;
  const float stride = 8.f;
  for (const Case& cs : cases) {
    const int64_t batch = 2, plane = cs.h * cs.w, cells = cs.anchors * plane, values = cs.anchors * cs.outputs;
    const std::vector<float> x = rng.vector(batch * cs.cin * plane);
    const std::vector<float> weights = rng.vector(values * cs.cin, -0.3f, 0.3f), bias = rng.vector(values);
    const std::vector<float> grid = rng.vector(2 * cells, -0.5f, 20.f), anchor = rng.vector(2 * cells, 1.f, 300.f);
    std::vector<double> expected(batch * cells * cs.outputs);
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t a = 0; a < cs.anchors; ++a)
        for (int64_t p = 0; p < plane; ++p)
          for (int64_t v = 0; v < cs.outputs; ++v) {
            const int64_t f = a * cs.outputs + v, cell = a * plane + p;
            double acc = bias[f];
            for (int64_t k = 0; k < cs.cin; ++k) acc += double(weights[f * cs.cin + k]) * x[(b * cs.cin + k) * plane + p];
            const double s = 1.0 / (1.0 + std::exp(-acc));
            double ref = s;
            if (v < 2) ref = (2 * s + grid[2 * cell + v]) * stride;
            else if (v < 4) ref = 4 * s * s * anchor[2 * cell + v - 2];
            expected[(b * cells + cell) * cs.outputs + v] = ref;
          }
    for (Isa isa : supportedIsas())
      for (bool blockedInput : {false, true}) {
        const YoloHead head(isa, cs.cin, cs.anchors, cs.outputs, weights.data(), bias.data(), blockedInput);
        std::vector<float> xb(batch * blocked::blocks(cs.cin) * blocked::kBlock * plane);
        ThreadPool reorder(1);
        blocked::toBlocked(isa, x.data(), batch, cs.cin, plane, xb.data(), reorder);
        for (int threads : {1, 3}) {
          ThreadPool pool(threads);
          std::vector<float> y(expected.size() + 2 * kGuard, 1234.5f);
          std::vector<float> ws(head.workspaceBytes(threads) / sizeof(float) + 16);
          float* aligned = ws.data() + (16 - reinterpret_cast<uintptr_t>(ws.data()) / sizeof(float) % 16) % 16;
          head.run(blockedInput ? xb.data() : x.data(), batch, cs.h, cs.w, grid.data(), anchor.data(), stride,
                   y.data() + kGuard, aligned, pool);
          ++runs;
          for (size_t i = 0; i < expected.size(); ++i) {
            const double err = std::fabs(y[kGuard + i] - expected[i]) / (1 + std::fabs(expected[i]));
            worst = std::fmax(worst, err);
            if (!(err <= 1e-5)) {
              KT_CHECK(false, "%s%s cin %lld anchors %lld outputs %lld %lldx%lld, %d threads: y[%zu] = %g, expected %g",
                       isaName(isa), blockedInput ? " blocked" : "", (long long)cs.cin, (long long)cs.anchors, (long long)cs.outputs, (long long)cs.h, (long long)cs.w, threads, i,
                       y[kGuard + i], expected[i]);
              break;
            }
          }
          bool guards = true;
          for (int64_t i = 0; i < kGuard; ++i) guards = guards && y[i] == 1234.5f && y[y.size() - 1 - i] == 1234.5f;
          KT_CHECK(guards, "%s cin %lld: wrote outside its output", isaName(isa), (long long)cs.cin);
        }
      }
  }
  kt::reportGroup("yolo head (1x1 conv + decode)", before,
                  kt::format("%zu cases x ISAs x {NCHW, blocked} input x {1, 3} threads = %d runs, worst relative error %.2g",
                             std::size(cases), runs, worst));
}
