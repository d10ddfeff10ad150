#pragma once
#include <memory>

#include "kernels/conv2d.h"

namespace kiln {

// The geometries ConvAlgo::PointwiseTransposed applies to: 1x1, stride 1, no padding, one group.
bool isPointwiseTransposed(const ConvGeometry& geometry);

// The pointwise convolution computed transposed, Y^T[pixel, cout] = X^T[pixel, cin] x W^T[cin,
// cout]: the output channels fill the NR-wide GEMM panels, so a small map (7x7: 49 pixels) is no
// longer padded to whole NR-pixel panels; each tile's result is transposed into the NCHW output.
std::unique_ptr<Conv2dKernel> makeConv2dPointwiseTransposed(Isa isa, const ConvGeometry& geometry, const float* weights,
                                                            const float* bias, const Epilogue& epilogue);

}  // namespace kiln
