#include "kernels/depthwise_conv2d.h"

namespace kiln::detail {
namespace avx512 {
#include "kernels/depthwise_conv2d_impl.h"
}  // namespace avx512
void depthwisePlaneAvx512(const DepthwisePlane& p, const ConvGeometry& g, float* scratch) { avx512::depthwisePlane(p, g, scratch); }
}  // namespace kiln::detail
