#pragma once
#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

namespace kiln {

// Max pooling with stride 1 and no dilation over one plane, as a row pass then a column pass
// (k + k comparisons per output instead of k·k): YOLOv5's SPPF pools are 5×5 of this kind.
// Padding never wins a max: it reads as the lowest value. Both passes run tap by tap over whole
// rows, so that they vectorize.
template <typename T>
inline void maxPoolStride1Plane(const T* src, int64_t h, int64_t w, T* dst, int64_t oh, int64_t ow, int64_t kh,
                                int64_t kw, int64_t padTop, int64_t padLeft, std::vector<T>& rows) {
  const T low = std::numeric_limits<T>::has_infinity ? -std::numeric_limits<T>::infinity()
                                                     : std::numeric_limits<T>::lowest();
  const int64_t span = ow + kw - 1;  // one input row with its padding, as the windows read it
  rows.resize(static_cast<size_t>(h * ow + span));
  T* padded = rows.data() + h * ow;
  const int64_t lead = std::min(padLeft, span), end = std::min(span, padLeft + w);
  std::fill(padded, padded + lead, low);
  std::fill(padded + end, padded + span, low);
  for (int64_t y = 0; y < h; ++y) {
    std::copy(src + y * w, src + y * w + (end - lead), padded + lead);
    T* out = rows.data() + y * ow;
    std::copy(padded, padded + ow, out);
    for (int64_t j = 1; j < kw; ++j)
      for (int64_t ox = 0; ox < ow; ++ox) out[ox] = std::max(out[ox], padded[ox + j]);
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
