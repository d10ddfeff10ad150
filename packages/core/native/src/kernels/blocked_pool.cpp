#include "kernels/blocked_pool.h"

#include <algorithm>
#include <limits>

#include "kernels/blocked_conv.h"

namespace kiln::blocked {

void maxPool(const float* x, int64_t planes, int64_t h, int64_t w, const PoolWindow& g, float* y, ThreadPool& pool) {
  pool.parallelFor(planes * g.oh, [&](int64_t task, int) {
    const int64_t plane = task / g.oh, oy = task % g.oh;
    const float* src = x + plane * h * w * kBlock;
    float* dst = y + (plane * g.oh + oy) * g.ow * kBlock;
    for (int64_t ox = 0; ox < g.ow; ++ox) {
      float acc[kBlock];
      std::fill(acc, acc + kBlock, -std::numeric_limits<float>::infinity());
      for (int64_t ky = 0; ky < g.kh; ++ky) {
        const int64_t iy = oy * g.sh - g.pt + ky * g.dh;
        if (iy < 0 || iy >= h) continue;
        for (int64_t kx = 0; kx < g.kw; ++kx) {
          const int64_t ix = ox * g.sw - g.pl + kx * g.dw;
          if (ix < 0 || ix >= w) continue;
          const float* p = src + (iy * w + ix) * kBlock;
          for (int64_t c = 0; c < kBlock; ++c) acc[c] = std::max(acc[c], p[c]);
        }
      }
      std::copy(acc, acc + kBlock, dst + ox * kBlock);
    }
  });
}

}  // namespace kiln::blocked
