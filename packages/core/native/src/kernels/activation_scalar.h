#pragma once
#include <algorithm>
#include <cmath>

#include "kernels/activation.h"

// The epilogue activation on one float, for the scalar (baseline x86-64) code path only: never
// include this from an *_avx2.cpp / *_avx512.cpp file.
namespace kiln {

inline float activateScalar(float x, const Epilogue& e) {
  switch (e.act) {
    case Activation::None: return x;
    case Activation::Relu: return x > 0.f ? x : 0.f;
    case Activation::Sigmoid: return 1.f / (1.f + std::exp(-x));
    case Activation::Silu: return x / (1.f + std::exp(-x));
    case Activation::LeakyRelu: return x >= 0.f ? x : e.alpha * x;
    case Activation::Clip: return std::min(std::max(x, e.alpha), e.beta);
    case Activation::HardSwish: return x * std::min(std::max(x * (1.f / 6.f) + 0.5f, 0.f), 1.f);
    case Activation::HardSigmoid: return std::min(std::max(e.alpha * x + e.beta, 0.f), 1.f);
  }
  return x;
}

}  // namespace kiln
