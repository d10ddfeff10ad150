#pragma once
#include <cstdint>
#include <vector>

namespace kiln {

// What calibration needs of one float tensor over many batches: its extremes and a histogram of
// |x|. The bin width is fixed by the first batch with a non-zero value (its largest |x| over
// `initialBins` bins); larger values later append bins of the same width (TensorRT's scheme).
class TensorHistogram {
 public:
  explicit TensorHistogram(int initialBins) : initialBins_(initialBins) {}

  void add(const float* values, int64_t count);

  float min() const { return min_; }
  float max() const { return max_; }
  double binWidth() const { return binWidth_; }
  const std::vector<double>& counts() const { return counts_; }
  // The part of counts() that came from positive values.
  const std::vector<double>& positiveCounts() const { return positiveCounts_; }

 private:
  int initialBins_;
  float min_ = 0.f, max_ = 0.f;
  bool seen_ = false;
  double binWidth_ = 0.0;
  double pendingZeros_ = 0.0;  // values counted before the bin width was known (all zero)
  std::vector<double> counts_, positiveCounts_;
};

}  // namespace kiln
