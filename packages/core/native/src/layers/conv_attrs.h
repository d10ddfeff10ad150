#pragma once
#include <string>
#include <vector>

#include "engine/attrs.h"
#include "engine/error.h"
#include "engine/shape.h"
#include "kernels/activation.h"
#include "kernels/conv2d.h"

namespace kiln {

// A Conv layer's 2-D geometry from its attributes (strides, pads, dilations, group; named after
// `prefix` where a fused layer holds two convolutions) and its weights' shape [cout, cin / group,
// kh, kw].
inline ConvGeometry convGeometry(const LayerDesc& desc, const Shape& weights, const std::string& prefix = "") {
  Attrs attrs(desc);
  if (weights.size() != 4) attrs.fail(prefix + "kernel_shape", "only 2-D convolution is supported (weights " + shapeToString(weights) + ")");
  const auto strides = attrs.getInts(prefix + "strides", {1, 1});
  const auto pads = attrs.getInts(prefix + "pads", {0, 0, 0, 0});
  const auto dilations = attrs.getInts(prefix + "dilations", {1, 1});
  if (strides.size() != 2 || pads.size() != 4 || dilations.size() != 2) attrs.fail(prefix + "pads", "must describe a 2-D convolution");
  ConvGeometry g;
  g.groups = attrs.getInt(prefix + "group", 1);
  g.cout = weights[0];
  g.cin = weights[1] * g.groups;
  g.kh = weights[2];
  g.kw = weights[3];
  g.strideH = strides[0];
  g.strideW = strides[1];
  g.padTop = pads[0];
  g.padLeft = pads[1];
  g.padBottom = pads[2];
  g.padRight = pads[3];
  g.dilationH = dilations[0];
  g.dilationW = dilations[1];
  return g;
}

// The activation a Conv layer's attributes ask its epilogue for (set by the fusion pass): those
// named `activation`, `activation_alpha`, ... after `prefix` (a fused layer's stages have one each).
inline Epilogue parseEpilogue(const LayerDesc& desc, const std::string& prefix = "") {
  Attrs attrs(desc);
  static const std::pair<const char*, Activation> names[] = {
      {"none", Activation::None}, {"relu", Activation::Relu}, {"sigmoid", Activation::Sigmoid},
      {"silu", Activation::Silu}, {"leaky_relu", Activation::LeakyRelu}, {"clip", Activation::Clip},
      {"hard_swish", Activation::HardSwish}, {"hard_sigmoid", Activation::HardSigmoid}};
  const std::string name = attrs.getString(prefix + "activation", "none");
  Epilogue e;
  bool known = false;
  for (const auto& [n, act] : names)
    if (name == n) { e.act = act; known = true; }
  if (!known) attrs.fail(prefix + "activation", "names an unknown activation '" + name + "'");
  e.alpha = attrs.getFloat(prefix + "activation_alpha", 0.f);
  e.beta = attrs.getFloat(prefix + "activation_beta", 0.f);
  e.afterResidual = attrs.getInt(prefix + "activation_after_residual", 0) != 0;
  return e;
}

// The output shape of a 2-D convolution layer on these inputs (x, weights, bias[, residual]): NCHW
// x with the weights' input channels; a residual (input 3), when `hasResidual`, must be shaped
// like the output. Throws KILN_SHAPE naming the layer.
inline Shape convOutputShape(const LayerDesc& desc, const ConvGeometry& g, const std::vector<Shape>& in, bool hasResidual) {
  const auto fail = [&](const std::string& what) {
    throw Error("KILN_SHAPE", "layer '" + desc.name + "' (" + desc.type + "): " + what);
  };
  const Shape& x = in[0];
  if (x.size() != 4) fail("expects a 4-D NCHW input, got " + shapeToString(x));
  if (x[1] != g.cin) fail("expects " + std::to_string(g.cin) + " input channels, got " + shapeToString(x));
  const int64_t oh = g.outH(x[2]), ow = g.outW(x[3]);
  if (oh <= 0 || ow <= 0) fail("the kernel is larger than the padded input " + shapeToString(x));
  Shape y{x[0], g.cout, oh, ow};
  if (hasResidual && (in.size() < 4 || in[3] != y))
    fail("the residual input must be shaped like the output " + shapeToString(y) + (in.size() < 4 ? std::string() : ", got " + shapeToString(in[3])));
  return y;
}

}  // namespace kiln
