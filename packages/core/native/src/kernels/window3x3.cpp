#include "kernels/window3x3.h"

namespace kiln {

bool window3x3Applies(Isa isa, int64_t kh, int64_t kw, int64_t strideH, int64_t strideW, int64_t dilationH,
                      int64_t dilationW) {
  return (isa == Isa::Avx2 || isa == Isa::Avx512) && kh == 3 && kw == 3 && dilationH == 1 && dilationW == 1 &&
         strideH == strideW && (strideH == 1 || strideH == 2);
}

void depthwisePlanes3x3(Isa isa, const Window3x3Plane& p, const Window3x3Run& run) {
  if (isa == Isa::Avx512)
    detail::depthwisePlanes3x3Avx512(p, run);
  else
    detail::depthwisePlanes3x3Avx2(p, run);
}

void maxPoolPlanes3x3(Isa isa, const Window3x3Plane& p, int64_t planes) {
  if (isa == Isa::Avx512)
    detail::maxPoolPlanes3x3Avx512(p, planes);
  else
    detail::maxPoolPlanes3x3Avx2(p, planes);
}

}  // namespace kiln
