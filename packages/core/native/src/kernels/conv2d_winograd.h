#pragma once
#include <memory>

#include "kernels/conv2d.h"

namespace kiln {

// The geometries ConvAlgo::Winograd applies to: one group, 3x3, stride 1, dilation 1, any padding.
bool isWinogradF43(const ConvGeometry& geometry);

// The Winograd F(4x4, 3x3) convolution; the geometry must be one isWinogradF43 accepts.
std::unique_ptr<Conv2dKernel> makeConv2dWinograd(Isa isa, const ConvGeometry& geometry, const float* weights,
                                                 const float* bias, const Epilogue& epilogue);

}  // namespace kiln
