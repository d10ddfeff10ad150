#include <cmath>
#include <cstring>

#include "engine/layer.h"
#include "kernels/activation_apply.h"
#include "layers/parallel.h"

namespace kiln {
namespace {

enum class UnaryOp { Identity, Relu, Sigmoid, Silu, Tanh, Exp, Log, Sqrt, Neg, Abs, Floor, Ceil, Reciprocal, LeakyRelu, Clip, HardSwish, HardSigmoid };

UnaryOp parseOp(const LayerDesc& desc) {
  static const std::pair<const char*, UnaryOp> names[] = {
      {"identity", UnaryOp::Identity}, {"relu", UnaryOp::Relu}, {"sigmoid", UnaryOp::Sigmoid},
      {"silu", UnaryOp::Silu}, {"tanh", UnaryOp::Tanh}, {"exp", UnaryOp::Exp}, {"log", UnaryOp::Log},
      {"sqrt", UnaryOp::Sqrt}, {"neg", UnaryOp::Neg}, {"abs", UnaryOp::Abs}, {"floor", UnaryOp::Floor},
      {"ceil", UnaryOp::Ceil}, {"reciprocal", UnaryOp::Reciprocal}, {"leaky_relu", UnaryOp::LeakyRelu},
      {"clip", UnaryOp::Clip}, {"hard_swish", UnaryOp::HardSwish}, {"hard_sigmoid", UnaryOp::HardSigmoid}};
  const std::string op = Attrs(desc).getString("op");
  for (const auto& [name, value] : names)
    if (op == name) return value;
  Attrs(desc).fail("op", "names an unknown unary operation '" + op + "'");
}

template <UnaryOp Op>
inline float apply(float x, float alpha, float beta) {
  if constexpr (Op == UnaryOp::Identity) return x;
  if constexpr (Op == UnaryOp::Relu) return x > 0.f ? x : 0.f;
  if constexpr (Op == UnaryOp::Sigmoid) return 1.f / (1.f + std::exp(-x));
  if constexpr (Op == UnaryOp::Silu) return x / (1.f + std::exp(-x));
  if constexpr (Op == UnaryOp::Tanh) return std::tanh(x);
  if constexpr (Op == UnaryOp::Exp) return std::exp(x);
  if constexpr (Op == UnaryOp::Log) return std::log(x);
  if constexpr (Op == UnaryOp::Sqrt) return std::sqrt(x);
  if constexpr (Op == UnaryOp::Neg) return -x;
  if constexpr (Op == UnaryOp::Abs) return std::fabs(x);
  if constexpr (Op == UnaryOp::Floor) return std::floor(x);
  if constexpr (Op == UnaryOp::Ceil) return std::ceil(x);
  if constexpr (Op == UnaryOp::Reciprocal) return 1.f / x;
  if constexpr (Op == UnaryOp::LeakyRelu) return x >= 0.f ? x : alpha * x;
  if constexpr (Op == UnaryOp::Clip) return x < alpha ? alpha : (x > beta ? beta : x);
  if constexpr (Op == UnaryOp::HardSwish) return x * std::min(1.f, std::max(0.f, x / 6.f + 0.5f));
  if constexpr (Op == UnaryOp::HardSigmoid) return std::min(1.f, std::max(0.f, alpha * x + beta));
}

// The activations the convolution epilogues also apply, with their vector code.
bool asActivation(UnaryOp op, Activation* out) {
  switch (op) {
    case UnaryOp::Relu: *out = Activation::Relu; return true;
    case UnaryOp::Sigmoid: *out = Activation::Sigmoid; return true;
    case UnaryOp::Silu: *out = Activation::Silu; return true;
    case UnaryOp::LeakyRelu: *out = Activation::LeakyRelu; return true;
    case UnaryOp::Clip: *out = Activation::Clip; return true;
    case UnaryOp::HardSwish: *out = Activation::HardSwish; return true;
    case UnaryOp::HardSigmoid: *out = Activation::HardSigmoid; return true;
    default: return false;
  }
}

class UnaryLayer final : public Layer {
 public:
  UnaryLayer(const LayerDesc& desc, Isa isa)
      : Layer(desc), op_(parseOp(desc)), alpha_(Attrs(desc).getFloat("alpha", 0.f)), beta_(Attrs(desc).getFloat("beta", 0.f)), isa_(isa) {
    epilogue_.alpha = alpha_;
    epilogue_.beta = beta_;
    vectorized_ = asActivation(op_, &epilogue_.act);
  }

  std::vector<Shape> inferShapes(const std::vector<Shape>& in) const override {
    expectInputs(in, 1);
    return {in[0]};
  }

  void run(const LayerRun& r) const override {
    if (vectorized_) {
      const float* x = r.in(0);
      float* y = r.out(0);
      parallelRange(*r.pool, elementCount(*r.outputShapes[0]), 16384, [&](int64_t begin, int64_t end) {
        if (y != x) std::memcpy(y + begin, x + begin, sizeof(float) * (end - begin));
        applyActivation(isa_, y + begin, end - begin, epilogue_);
      });
      return;
    }
    switch (op_) {
#define KILN_UNARY_CASE(name) case UnaryOp::name: return runOp<UnaryOp::name>(r);
      KILN_UNARY_CASE(Identity) KILN_UNARY_CASE(Relu) KILN_UNARY_CASE(Sigmoid) KILN_UNARY_CASE(Silu)
      KILN_UNARY_CASE(Tanh) KILN_UNARY_CASE(Exp) KILN_UNARY_CASE(Log) KILN_UNARY_CASE(Sqrt) KILN_UNARY_CASE(Neg)
      KILN_UNARY_CASE(Abs) KILN_UNARY_CASE(Floor) KILN_UNARY_CASE(Ceil) KILN_UNARY_CASE(Reciprocal)
      KILN_UNARY_CASE(LeakyRelu) KILN_UNARY_CASE(Clip) KILN_UNARY_CASE(HardSwish) KILN_UNARY_CASE(HardSigmoid)
#undef KILN_UNARY_CASE
    }
  }

 private:
  template <UnaryOp Op>
  void runOp(const LayerRun& r) const {
    const float* x = r.in(0);
    float* y = r.out(0);
    const float alpha = alpha_, beta = beta_;
    parallelRange(*r.pool, elementCount(*r.outputShapes[0]), 16384, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) y[i] = apply<Op>(x[i], alpha, beta);
    });
  }

  UnaryOp op_;
  float alpha_, beta_;
  Isa isa_;
  Epilogue epilogue_;
  bool vectorized_ = false;
};

KILN_REGISTER_LAYER("Unary", [](const LayerDesc& desc, const LayerBuildContext& ctx) {
  Layer::requireTypes(desc, ctx, {DType::Float32});
  return std::unique_ptr<Layer>(new UnaryLayer(desc, ctx.isa));
});

}  // namespace
}  // namespace kiln
