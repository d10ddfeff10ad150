// The plain reference the optimized kernels are tested against: direct loops, double accumulation,
// the activation evaluated in double.
#include <algorithm>
#include <cmath>

#include "kernels/conv2d.h"

namespace kiln {
namespace {

double activateReference(double x, const Epilogue& e) {
  switch (e.act) {
    case Activation::None: return x;
    case Activation::Relu: return std::max(x, 0.0);
    case Activation::Sigmoid: return 1.0 / (1.0 + std::exp(-x));
    case Activation::Silu: return x / (1.0 + std::exp(-x));
    case Activation::LeakyRelu: return x >= 0 ? x : e.alpha * x;
    case Activation::Clip: return std::min(std::max(x, double(e.alpha)), double(e.beta));
    case Activation::HardSwish: return x * std::min(std::max(x / 6.0 + 0.5, 0.0), 1.0);
    case Activation::HardSigmoid: return std::min(std::max(e.alpha * x + e.beta, 0.0), 1.0);
  }
  return x;
}

}  // namespace

void conv2dReference(const ConvGeometry& g, const float* x, int64_t batch, int64_t h, int64_t w,
                     const float* weights, const float* bias, const Epilogue& epilogue, float* y) {
  const int64_t outH = g.outH(h), outW = g.outW(w);
  const int64_t cinG = g.cin / g.groups, coutG = g.cout / g.groups;
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t oc = 0; oc < g.cout; ++oc) {
      const int64_t grp = oc / coutG;
      for (int64_t oy = 0; oy < outH; ++oy)
        for (int64_t ox = 0; ox < outW; ++ox) {
          double acc = bias ? bias[oc] : 0.0;
          for (int64_t ic = 0; ic < cinG; ++ic)
            for (int64_t ky = 0; ky < g.kh; ++ky) {
              const int64_t iy = oy * g.strideH - g.padTop + ky * g.dilationH;
              if (iy < 0 || iy >= h) continue;
              for (int64_t kx = 0; kx < g.kw; ++kx) {
                const int64_t ix = ox * g.strideW - g.padLeft + kx * g.dilationW;
                if (ix < 0 || ix >= w) continue;
                acc += double(x[((b * g.cin + grp * cinG + ic) * h + iy) * w + ix]) *
                       weights[((oc * cinG + ic) * g.kh + ky) * g.kw + kx];
              }
            }
          y[((b * g.cout + oc) * outH + oy) * outW + ox] = static_cast<float>(activateReference(acc, epilogue));
        }
    }
}

}  // namespace kiln
