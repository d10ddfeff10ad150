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

void globalAveragePool(const float* x, int64_t planes, int64_t plane, float* y, ThreadPool& pool) {
  pool.parallelFor(planes, [&](int64_t p, int) {
    float sum[kBlock] = {};
    const float* src = x + p * plane * kBlock;
    for (int64_t i = 0; i < plane; ++i)
      for (int64_t c = 0; c < kBlock; ++c) sum[c] += src[i * kBlock + c];
    for (int64_t c = 0; c < kBlock; ++c) y[p * kBlock + c] = sum[c] / static_cast<float>(plane);
  });
}

}  // namespace kiln::blocked
