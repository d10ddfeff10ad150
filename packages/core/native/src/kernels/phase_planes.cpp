#include "kernels/phase_planes.h"

#include "kernels/int_math.h"

namespace kiln {

PhasePlaneDims phasePlaneDims(int64_t kh, int64_t kw, int64_t s, int64_t oh, int64_t ow) {
  constexpr int64_t kVector = 16;
  PhasePlaneDims d;
  const int64_t reachY = (kh - 1) / s, reachX = (kw - 1) / s;
  d.wq = ow + reachX;
  d.hq = oh + reachY;
  // The last tap's pass reads up to (reachY + oh)·wq + reachX + 15 floats into its plane.
  d.accFloats = roundUp(oh * d.wq, kVector);
  d.phaseFloats = roundUp(d.hq * d.wq + reachX + kVector - 1, kVector);
  return d;
}

}  // namespace kiln
