#include "kernels/blocked_pool.h"

#include "kernels/blocked_conv.h"

namespace kiln::blocked {

void maxPool(Isa isa, const float* x, int64_t planes, int64_t h, int64_t w, const PoolWindow& g, float* y, ThreadPool& pool) {
  const detail::Kernels& k = detail::kernelsFor(isa);
  pool.parallelFor(planes * g.oh, [&](int64_t task, int) {
    const int64_t plane = task / g.oh, oy = task % g.oh;
    k.maxPoolRow(x + plane * h * w * kBlock, h, w, g, oy, y + (plane * g.oh + oy) * g.ow * kBlock);
  });
}

}  // namespace kiln::blocked
