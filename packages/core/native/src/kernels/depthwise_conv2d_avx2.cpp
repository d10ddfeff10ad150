#include "kernels/depthwise_conv2d.h"

namespace kiln::detail {
namespace avx2 {
#include "kernels/depthwise_conv2d_impl.h"
}  // namespace avx2
void depthwisePlaneAvx2(const DepthwisePlane& p, const ConvGeometry& g, float* scratch) { avx2::depthwisePlane(p, g, scratch); }
}  // namespace kiln::detail
