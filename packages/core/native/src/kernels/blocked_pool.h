#pragma once
#include <cstdint>

#include "runtime/cpu_features.h"
#include "runtime/thread_pool.h"

namespace kiln::blocked {

// A pooling window over the rows and columns of a plane: kernel, stride, leading padding,
// dilation and the output size (which the caller works out, with its ceil_mode).
struct PoolWindow {
  int64_t kh, kw, sh, sw, pt, pl, dh, dw, oh, ow;
};

// Max pooling between blocked tensors: `planes` planes of [h][w][16] to [oh][ow][16], the taps
// outside the input skipped (a window with none gives -infinity).
void maxPool(Isa isa, const float* x, int64_t planes, int64_t h, int64_t w, const PoolWindow& g, float* y, ThreadPool& pool);

// Global average pooling between blocked tensors: `planes` planes of [plane][16] to one [16] each.
void globalAveragePool(const float* x, int64_t planes, int64_t plane, float* y, ThreadPool& pool);

}  // namespace kiln::blocked
