#include <cmath>
#include <cstring>
#include <vector>

#include "check.h"
#include "kernels/yolo_decode.h"

using namespace kiln;

// Every ISA's row decode against the plain formula, over widths and value counts that are and are
// not multiples of the 8x8 blocks, with the output between guard zones.
void testYoloDecode() {
  const int before = kt::failures();
  kt::Random rng(99);
  int runs = 0;
  double worst = 0;
  const int64_t widths[] = {1, 3, 8, 13, 20, 40, 80};
  const int64_t counts[] = {5, 6, 8, 9, 13, 16, 85};
  constexpr int64_t kGuard = 32;
  const float stride = 16.f;
  for (Isa isa : supportedIsas()) {
    for (int64_t w : widths) {
      for (int64_t k : counts) {
        const int64_t h = 3, plane = h * w + 5;  // a padded plane: rows and channels apart
        const std::vector<float> x = rng.vector(k * plane, -8.f, 8.f);
        const std::vector<float> grid = rng.vector(2 * w, -0.5f, 79.5f), anchor = rng.vector(2 * w, 1.f, 300.f);
        std::vector<float> y(w * k + 2 * kGuard, 1234.5f), scratch(yoloDecodeScratchFloats(w, k));
        YoloDecodeRow d;
        d.x = x.data() + w;  // row 1 of the first channel
        d.plane = plane;
        d.w = w;
        d.k = k;
        d.grid = grid.data();
        d.anchor = anchor.data();
        d.stride = stride;
        d.y = y.data() + kGuard;
        yoloDecodeRow(isa, d, scratch.data());
        ++runs;
        size_t bad = 0;
        for (int64_t j = 0; j < w; ++j) {
          for (int64_t c = 0; c < k; ++c) {
            const double s = 1.0 / (1.0 + std::exp(-double(d.x[c * plane + j])));
            double ref = s;
            if (c < 2) ref = (2 * s + grid[2 * j + c]) * stride;
            else if (c < 4) ref = 4 * s * s * anchor[2 * j + c - 2];
            const double got = d.y[j * k + c];
            const double err = std::fabs(got - ref) / (1 + std::fabs(ref));
            if (!(err <= 2e-6)) {
              if (bad++ == 0) KT_CHECK(false, "%s w %lld k %lld: [%lld, %lld] = %g, expected %g", isaName(isa), (long long)w, (long long)k, (long long)j, (long long)c, got, ref);
            } else {
              worst = std::fmax(worst, err);
            }
          }
        }
        bool guards = true;
        for (int64_t i = 0; i < kGuard; ++i) guards = guards && y[i] == 1234.5f && y[y.size() - 1 - i] == 1234.5f;
        KT_CHECK(guards, "%s w %lld k %lld wrote outside its output", isaName(isa), (long long)w, (long long)k);
      }
    }
  }
  kt::reportGroup("yolo decode row", before, kt::format("%d runs over every ISA, max rel err %.2g", runs, worst));
}
