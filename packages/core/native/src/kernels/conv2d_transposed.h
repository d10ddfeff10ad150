#pragma once
#include <memory>

#include "kernels/conv2d.h"

namespace kiln {

// The geometries ConvAlgo::PointwiseTransposed applies to: 1x1, stride 1, no padding, one group.
bool isPointwiseTransposed(const ConvGeometry& geometry);
// The geometries ConvAlgo::ImplicitGemmTransposed applies to: one group, any other window.
bool isImplicitGemmTransposed(const ConvGeometry& geometry);

// The convolution computed transposed, Y^T[pixel, cout] = X^T[pixel, K] x W^T[K, cout] with K the
// window's taps over the input channels (the input channels alone for pointwise): the output
// channels fill the NR-wide GEMM panels, so a small map (7x7: 49 pixels) is no longer padded to
// whole NR-pixel panels; each tile's result is transposed into the NCHW output.
std::unique_ptr<Conv2dKernel> makeConv2dTransposed(ConvAlgo algo, Isa isa, const ConvGeometry& geometry,
                                                   const float* weights, const float* bias, const Epilogue& epilogue);

}  // namespace kiln
