#pragma once

namespace kiln {

enum class Activation { None, Relu, Sigmoid, Silu, LeakyRelu, Clip, HardSwish, HardSigmoid };

// What a kernel applies to each output after the accumulation: y = act(acc + bias[channel]).
// alpha/beta: LeakyRelu slope (alpha); Clip min (alpha) and max (beta); HardSigmoid alpha, beta.
// With a fused residual, y = act(acc + bias) + residual (YOLOv5's bottleneck), or with
// afterResidual y = act(acc + bias + residual) (ResNet's relu(conv(x) + x)).
struct Epilogue {
  Activation act = Activation::None;
  float alpha = 0.f;
  float beta = 0.f;
  bool afterResidual = false;
};

}  // namespace kiln
