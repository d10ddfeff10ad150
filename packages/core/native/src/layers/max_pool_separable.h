#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

namespace kiln {

// Max pooling with stride 1 and no dilation over one plane, as a row pass then a column pass
// (k + k comparisons per output instead of k·k): YOLOv5's SPPF pools are 5×5 of this kind.
// Padding never wins a max, so windows are clipped to the plane.
template <typename T>
inline void maxPoolStride1Plane(const T* src, int64_t h, int64_t w, T* dst, int64_t oh, int64_t ow, int64_t kh,
                                int64_t kw, int64_t padTop, int64_t padLeft, std::vector<T>& rows) {
  rows.resize(static_cast<size_t>(h * ow));
  for (int64_t y = 0; y < h; ++y) {
    const T* line = src + y * w;
    T* out = rows.data() + y * ow;
    for (int64_t ox = 0; ox < ow; ++ox) {
      const int64_t x0 = std::max<int64_t>(ox - padLeft, 0), x1 = std::min<int64_t>(ox - padLeft + kw, w);
      T m = line[x0];
      for (int64_t x = x0 + 1; x < x1; ++x) m = std::max(m, line[x]);
      out[ox] = m;
    }
  }
  for (int64_t oy = 0; oy < oh; ++oy) {
    const int64_t y0 = std::max<int64_t>(oy - padTop, 0), y1 = std::min<int64_t>(oy - padTop + kh, h);
    T* out = dst + oy * ow;
    const T* first = rows.data() + y0 * ow;
    std::copy(first, first + ow, out);
    for (int64_t y = y0 + 1; y < y1; ++y) {
      const T* row = rows.data() + y * ow;
      for (int64_t ox = 0; ox < ow; ++ox) out[ox] = std::max(out[ox], row[ox]);
    }
  }
}

}  // namespace kiln
