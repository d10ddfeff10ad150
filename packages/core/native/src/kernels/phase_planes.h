#pragma once
#include <cstdint>

namespace kiln {

// A window of kh x kw taps at stride s = 1 or 2 (dilation 1) over one plane, computed as one
// unit-stride pass per tap: the plane is split into its s x s phase planes, each hq x wq with the
// padding around the input filled in, so that tap (ky, kx) reads phase (ky % s, kx % s) from
// (ky / s, kx / s) on. Every pass runs over the whole output grid, oh rows of wq (the last wq - ow
// columns of each row are dropped), rounded up to whole 16-float vectors: accFloats. Each phase
// plane is phaseFloats long, with enough slack past its hq x wq cells for the last tap's reads.
struct PhasePlaneDims {
  int64_t hq = 0, wq = 0, phaseFloats = 0, accFloats = 0;
};
PhasePlaneDims phasePlaneDims(int64_t kh, int64_t kw, int64_t s, int64_t oh, int64_t ow);

}  // namespace kiln
