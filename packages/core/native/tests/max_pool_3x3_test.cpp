#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "check.h"
#include "kernels/window3x3.h"
#include "runtime/cpu_features.h"

using namespace kiln;

// The AVX2 and AVX-512 3x3 max-pooling planes against the plain window maximum: strides 1 and 2,
// symmetric, asymmetric and no padding, ceil-mode output sizes (the last window past the padding),
// widths around the vector widths and past a 64-block chunk, the output between guard zones.
void testMaxPool3x3() {
  const int before = kt::failures();
  kt::Random rng(31);
  int runs = 0;
  struct Case {
    int64_t stride, padTop, padLeft, extraRows, extraCols;  // extra: outputs beyond floor mode
  };
  const Case cases[] = {{1, 1, 1, 0, 0}, {1, 0, 0, 0, 0}, {2, 1, 1, 0, 0}, {2, 0, 0, 0, 0}, {2, 0, 1, 1, 1}, {2, 1, 0, 1, 0}};
  const int64_t sizes[][2] = {{1, 1}, {3, 3}, {7, 7}, {12, 17}, {56, 40}, {9, 71}, {4, 2100}};
  constexpr int64_t kGuard = 32;
  for (Isa isa : supportedIsas()) {
    if (isa != Isa::Avx2 && isa != Isa::Avx512) continue;
    for (const Case& c : cases) {
      for (const auto& size : sizes) {
        const int64_t h = size[0], w = size[1];
        if (h + 2 * c.padTop < 3 || w + 2 * c.padLeft < 3) continue;
        const int64_t oh = (h + 2 * c.padTop - 3) / c.stride + 1 + c.extraRows, ow = (w + 2 * c.padLeft - 3) / c.stride + 1 + c.extraCols;
        const int64_t planes = 3;  // one run: x and y move on plane by plane
        const std::vector<float> x = rng.vector(planes * h * w);
        std::vector<float> y(planes * oh * ow + 2 * kGuard, 1234.5f);
        Window3x3Plane p{x.data(), h, w, y.data() + kGuard, oh, ow, c.stride, c.padTop, c.padLeft};
        maxPoolPlanes3x3(isa, p, planes);
        ++runs;
        bool ok = true;
        for (int64_t pl = 0; pl < planes; ++pl)
        for (int64_t oy = 0; oy < oh && ok; ++oy)
          for (int64_t ox = 0; ox < ow && ok; ++ox) {
            float ref = -std::numeric_limits<float>::infinity();
            for (int64_t ky = 0; ky < 3; ++ky)
              for (int64_t kx = 0; kx < 3; ++kx) {
                const int64_t iy = oy * c.stride - c.padTop + ky, ix = ox * c.stride - c.padLeft + kx;
                if (iy >= 0 && iy < h && ix >= 0 && ix < w) ref = std::max(ref, x[(pl * h + iy) * w + ix]);
              }
            const float got = y[kGuard + (pl * oh + oy) * ow + ox];
            if (got != ref) {
              KT_CHECK(false, "%s stride %lld pads %lld,%lld %lldx%lld: y[%lld, %lld] = %g, expected %g", isaName(isa), (long long)c.stride,
                       (long long)c.padTop, (long long)c.padLeft, (long long)h, (long long)w, (long long)oy, (long long)ox, got, ref);
              ok = false;
            }
          }
        bool guards = true;
        for (int64_t i = 0; i < kGuard; ++i) guards = guards && y[i] == 1234.5f && y[y.size() - 1 - i] == 1234.5f;
        KT_CHECK(guards, "%s stride %lld %lldx%lld: wrote outside its output", isaName(isa), (long long)c.stride, (long long)h, (long long)w);
      }
    }
  }
  kt::reportGroup("max pool 3x3 (direct rows)", before, kt::format("%d runs on AVX2 / AVX-512, exact", runs));
}
