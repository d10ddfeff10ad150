#include <cmath>
#include <vector>

#include "check.h"
#include "kernels/activation_apply.h"

using kiln::Activation;
using kiln::Epilogue;
using kiln::Isa;

namespace {

double reference(double x, const Epilogue& e) {
  switch (e.act) {
    case Activation::None: return x;
    case Activation::Relu: return x > 0 ? x : 0;
    case Activation::Sigmoid: return 1 / (1 + std::exp(-x));
    case Activation::Silu: return x / (1 + std::exp(-x));
    case Activation::LeakyRelu: return x >= 0 ? x : e.alpha * x;
    case Activation::Clip: return std::fmin(std::fmax(x, e.alpha), e.beta);
    case Activation::HardSwish: return x * std::fmin(std::fmax(x / 6 + 0.5, 0.0), 1.0);
    case Activation::HardSigmoid: return std::fmin(std::fmax(e.alpha * x + e.beta, 0.0), 1.0);
  }
  return x;
}

const char* name(Activation a) {
  static const char* names[] = {"none", "relu", "sigmoid", "silu", "leaky-relu", "clip", "hard-swish", "hard-sigmoid"};
  return names[static_cast<int>(a)];
}

}  // namespace

void testActivations() {
  const Epilogue epilogues[] = {
      {Activation::None}, {Activation::Relu}, {Activation::Sigmoid}, {Activation::Silu},
      {Activation::LeakyRelu, 0.1f}, {Activation::Clip, -0.5f, 0.7f}, {Activation::HardSwish},
      {Activation::HardSigmoid, 0.2f, 0.5f}};
  // A dense sweep of [-100, 100], the exp clamp points, and huge inputs; an odd count exercises the
  // masked tail.
  std::vector<float> input;
  for (int i = -100000; i <= 100000; ++i) input.push_back(i * 1e-3f);
  for (float v : {0.f, -0.f, 1e-7f, -1e-7f, 87.f, -87.f, 87.4f, -87.4f, 88.5f, -88.5f, 89.f, -89.f, 1e4f, -1e4f,
                  1e30f, -1e30f, 3e38f, -3e38f})
    input.push_back(v);

  for (Isa isa : kiln::supportedIsas()) {
    const int before = kt::failures();
    std::string detail;
    for (const Epilogue& e : epilogues) {
      std::vector<float> y = input;
      kiln::applyActivation(isa, y.data(), static_cast<int64_t>(y.size()), e);
      double worst = 0;  // in units of float epsilon, relative to max(|ref|, 1e-30)
      for (size_t i = 0; i < y.size(); ++i) {
        const double ref = reference(input[i], e);
        const double err = std::fabs(y[i] - ref);
        const bool finite = std::isfinite(y[i]);
        KT_CHECK(finite, "%s %s(%g) = %g", kiln::isaName(isa), name(e.act), input[i], y[i]);
        // Sigmoid/SiLU of very negative inputs underflow to ~0: an absolute floor of 1e-30. The hard
        // functions round alpha * x + beta, which cancels near their corners: allow an ulp of that.
        const bool hard = e.act == Activation::HardSwish || e.act == Activation::HardSigmoid;
        const double tol = 4e-7 * std::fabs(ref) + (hard ? 1.2e-7 * (1 + std::fabs(input[i])) : 1e-30);
        KT_CHECK(err <= tol, "%s %s(%.9g) = %.9g, expected %.9g", kiln::isaName(isa), name(e.act), input[i], y[i], ref);
        if (std::fabs(ref) > 1e-30) worst = std::fmax(worst, err / std::fabs(ref) / 1.1920929e-7);
      }
      if (e.act == Activation::Sigmoid || e.act == Activation::Silu)
        detail += kt::format("%s %.1f ulp  ", name(e.act), worst);
    }
    // The exact end points.
    float edge[4] = {-100.f, 100.f, -1e30f, 1e30f};
    kiln::applyActivation(isa, edge, 4, {Activation::Sigmoid});
    KT_CHECK(edge[0] >= 0 && edge[0] < 1e-30f && edge[1] == 1.f && edge[2] >= 0 && edge[2] < 1e-30f && edge[3] == 1.f,
             "%s sigmoid(-100, 100, -1e30, 1e30) = %g %g %g %g", kiln::isaName(isa), edge[0], edge[1], edge[2],
             edge[3]);
    kt::reportGroup(kt::format("activations %s", kiln::isaName(isa)), before,
                    kt::format("8 activations x %zu inputs; max error %s", input.size(), detail.c_str()));
  }
}
