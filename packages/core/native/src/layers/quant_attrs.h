#pragma once
#include <cmath>
#include <string>

#include "engine/attrs.h"
#include "kernels/qconv2d.h"

namespace kiln {

// A scale and zero point from a layer's attributes: the scale positive and finite, the zero point
// inside [lo, hi] (the range of the quantized type). `zeroPoint` may be absent (0).
inline QuantParams readQuantParams(const Attrs& attrs, const std::string& scale, const std::string& zeroPoint, int32_t lo,
                                   int32_t hi) {
  QuantParams q{attrs.getFloat(scale), static_cast<int32_t>(attrs.getInt(zeroPoint, 0))};
  if (!(q.scale > 0.f) || !std::isfinite(q.scale)) attrs.fail(scale, "must be a positive finite number");
  if (q.zeroPoint < lo || q.zeroPoint > hi)
    attrs.fail(zeroPoint, "must lie in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return q;
}

}  // namespace kiln
