#include "calibration/tensor_histogram.h"

#include <algorithm>
#include <cmath>

namespace kiln {

void TensorHistogram::add(const float* values, int64_t count) {
  if (count <= 0) return;
  float lo = values[0], hi = values[0];
  for (int64_t i = 1; i < count; ++i) {
    lo = std::min(lo, values[i]);
    hi = std::max(hi, values[i]);
  }
  min_ = seen_ ? std::min(min_, lo) : lo;
  max_ = seen_ ? std::max(max_, hi) : hi;
  seen_ = true;
  const double absMax = std::max(std::fabs(static_cast<double>(lo)), std::fabs(static_cast<double>(hi)));
  if (binWidth_ == 0.0) {
    if (absMax == 0.0 || !std::isfinite(absMax)) {
      pendingZeros_ += static_cast<double>(count);
      return;
    }
    binWidth_ = absMax / initialBins_;
    counts_.assign(static_cast<size_t>(initialBins_), 0.0);
    positiveCounts_.assign(counts_.size(), 0.0);
    counts_[0] += pendingZeros_;
  }
  const size_t needed = static_cast<size_t>(std::ceil(absMax / binWidth_));
  if (needed > counts_.size()) {
    counts_.resize(needed, 0.0);
    positiveCounts_.resize(needed, 0.0);
  }
  const double inverse = 1.0 / binWidth_;
  const size_t last = counts_.size() - 1;
  for (int64_t i = 0; i < count; ++i) {
    const double a = std::fabs(static_cast<double>(values[i]));
    if (!std::isfinite(a)) continue;
    const size_t bin = std::min(static_cast<size_t>(a * inverse), last);
    counts_[bin] += 1.0;
    if (values[i] > 0.f) positiveCounts_[bin] += 1.0;
  }
}

}  // namespace kiln
