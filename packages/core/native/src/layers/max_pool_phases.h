#pragma once
#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

namespace kiln {

// Max pooling with stride s = 1 or 2 and no dilation over one plane: the plane is split into its
// s x s phase planes, padded with the lowest value (padding never wins a max), all wq wide, so that
// every tap is one unit-stride max pass over the whole output grid (oh rows of wq; the last
// wq - ow columns of each dropped) — long vector loops instead of a bounds test per tap.
template <typename T>
inline void maxPoolPhasesPlane(const T* src, int64_t h, int64_t w, T* dst, int64_t oh, int64_t ow, int64_t kh,
                               int64_t kw, int64_t s, int64_t padTop, int64_t padLeft, std::vector<T>& scratch) {
  const T lowest = std::numeric_limits<T>::lowest();
  const int64_t reachY = (kh - 1) / s, reachX = (kw - 1) / s;
  const int64_t wq = ow + reachX, hq = oh + reachY, n = oh * wq;
  const int64_t phaseSize = hq * wq + reachX;
  scratch.assign(static_cast<size_t>(n + s * s * phaseSize), lowest);
  T* acc = scratch.data();
  T* phases = acc + n;
  for (int64_t r = 0; r < s; ++r) {
    for (int64_t c = 0; c < s; ++c) {
      T* z = phases + (r * s + c) * phaseSize;
      for (int64_t u = 0; u < hq; ++u) {
        const int64_t iy = s * u + r - padTop;
        if (iy < 0 || iy >= h) continue;
        const T* line = src + iy * w;
        T* row = z + u * wq;
        for (int64_t v = 0; v < wq; ++v) {
          const int64_t ix = s * v + c - padLeft;
          if (ix >= 0 && ix < w) row[v] = line[ix];
        }
      }
    }
  }
  for (int64_t ky = 0; ky < kh; ++ky) {
    for (int64_t kx = 0; kx < kw; ++kx) {
      const T* z = phases + ((ky % s) * s + kx % s) * phaseSize + (ky / s) * wq + kx / s;
      for (int64_t i = 0; i < n; ++i) acc[i] = std::max(acc[i], z[i]);
    }
  }
  for (int64_t oy = 0; oy < oh; ++oy) std::copy(acc + oy * wq, acc + oy * wq + ow, dst + oy * ow);
}

}  // namespace kiln
