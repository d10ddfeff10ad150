#pragma once
#include "engine/attrs.h"
#include "kernels/activation.h"

namespace kiln {

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
