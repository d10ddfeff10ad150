#pragma once
#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "kernels/phase_planes.h"

namespace kiln {

// Max pooling with stride s = 1 or 2 and no dilation over one plane, as one unit-stride max pass per
// tap over the plane's phase planes (phase_planes.h), padded with the lowest value (padding never
// wins a max) — long vector loops instead of a bounds test per tap. `scratch` carries the padding
// from plane to plane: call it for planes of one shape with the same vector.
template <typename T>
inline void maxPoolPhasesPlane(const T* src, int64_t h, int64_t w, T* dst, int64_t oh, int64_t ow, int64_t kh,
                               int64_t kw, int64_t s, int64_t padTop, int64_t padLeft, std::vector<T>& scratch) {
  const PhasePlaneDims d = phasePlaneDims(kh, kw, s, oh, ow);
  const int64_t wq = d.wq, n = d.accFloats;
  const size_t size = static_cast<size_t>(n + s * s * d.phaseFloats);
  // Only input cells are written below: the padding stays the lowest value from the first plane on.
  if (scratch.size() != size) scratch.assign(size, std::numeric_limits<T>::lowest());
  T* acc = scratch.data();
  T* phases = acc + n;
  for (int64_t r = 0; r < s; ++r) {
    for (int64_t c = 0; c < s; ++c) {
      T* z = phases + (r * s + c) * d.phaseFloats;
      for (int64_t u = 0; u < d.hq; ++u) {
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
  const auto tap = [&](int64_t ky, int64_t kx) { return phases + ((ky % s) * s + kx % s) * d.phaseFloats + (ky / s) * wq + kx / s; };
  std::copy(tap(0, 0), tap(0, 0) + n, acc);
  for (int64_t ky = 0; ky < kh; ++ky) {
    for (int64_t kx = ky == 0 ? 1 : 0; kx < kw; ++kx) {
      const T* z = tap(ky, kx);
      for (int64_t i = 0; i < n; ++i) acc[i] = std::max(acc[i], z[i]);
    }
  }
  for (int64_t oy = 0; oy < oh; ++oy) std::copy(acc + oy * wq, acc + oy * wq + ow, dst + oy * ow);
}

}  // namespace kiln
