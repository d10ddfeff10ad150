#pragma once

namespace kiln {

enum class Activation { None, Relu, Sigmoid, Silu, LeakyRelu, Clip, HardSwish, HardSigmoid };

// What a kernel applies to each output after the accumulation: y = act(acc + bias[channel]).
// alpha/beta: LeakyRelu slope (alpha); Clip min (alpha) and max (beta); HardSigmoid alpha, beta.
struct Epilogue {
  Activation act = Activation::None;
  float alpha = 0.f;
  float beta = 0.f;
};

}  // namespace kiln
