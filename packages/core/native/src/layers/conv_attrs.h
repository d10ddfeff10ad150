#pragma once
#include "engine/attrs.h"
#include "kernels/activation.h"
#include "kernels/conv2d.h"

namespace kiln {

// A Conv layer's 2-D geometry from its attributes (strides, pads, dilations, group) and its
// weights' shape [cout, cin / group, kh, kw].
inline ConvGeometry convGeometry(const LayerDesc& desc, const Shape& weights) {
  Attrs attrs(desc);
  if (weights.size() != 4) attrs.fail("kernel_shape", "only 2-D convolution is supported (weights " + shapeToString(weights) + ")");
  const auto strides = attrs.getInts("strides", {1, 1});
  const auto pads = attrs.getInts("pads", {0, 0, 0, 0});
  const auto dilations = attrs.getInts("dilations", {1, 1});
  if (strides.size() != 2 || pads.size() != 4 || dilations.size() != 2) attrs.fail("pads", "must describe a 2-D convolution");
  ConvGeometry g;
  g.groups = attrs.getInt("group", 1);
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

// The activation a Conv layer's attributes ask its epilogue for (set by the fusion pass).
inline Epilogue parseEpilogue(const LayerDesc& desc) {
  Attrs attrs(desc);
  static const std::pair<const char*, Activation> names[] = {
      {"none", Activation::None}, {"relu", Activation::Relu}, {"sigmoid", Activation::Sigmoid},
      {"silu", Activation::Silu}, {"leaky_relu", Activation::LeakyRelu}, {"clip", Activation::Clip},
      {"hard_swish", Activation::HardSwish}, {"hard_sigmoid", Activation::HardSigmoid}};
  const std::string name = attrs.getString("activation", "none");
  Epilogue e;
  bool known = false;
  for (const auto& [n, act] : names)
    if (name == n) { e.act = act; known = true; }
  if (!known) attrs.fail("activation", "names an unknown activation '" + name + "'");
  e.alpha = attrs.getFloat("activation_alpha", 0.f);
  e.beta = attrs.getFloat("activation_beta", 0.f);
  return e;
}

}  // namespace kiln
