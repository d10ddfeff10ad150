#include <cmath>
#include <string>
#include <type_traits>

#include "engine/layer.h"
#include "layers/dtype_dispatch.h"
#include "layers/parallel.h"

namespace kiln {
namespace {

// Element-wise functions the float32 Unary layer lacks, and the integer/bool forms of abs, neg,
// sign and not. alpha/beta carry the op's parameters (Elu's alpha, Selu's alpha and gamma, ...).
enum class Op {
  Abs, Neg, Sign, Not, Identity, Erf, Elu, Selu, Celu, Softplus, Softsign, Gelu, GeluTanh, Mish, ThresholdedRelu,
  Round, Sin, Cos, Tan, Asin, Acos, Atan, Sinh, Cosh, Asinh, Acosh, Atanh, Log, IsNaN, IsInf
};

const std::pair<const char*, Op> kOps[] = {
    {"abs", Op::Abs}, {"neg", Op::Neg}, {"sign", Op::Sign}, {"not", Op::Not}, {"identity", Op::Identity},
    {"erf", Op::Erf}, {"elu", Op::Elu}, {"selu", Op::Selu}, {"celu", Op::Celu}, {"softplus", Op::Softplus},
    {"softsign", Op::Softsign}, {"gelu", Op::Gelu}, {"gelu_tanh", Op::GeluTanh}, {"mish", Op::Mish},
    {"thresholded_relu", Op::ThresholdedRelu}, {"round", Op::Round}, {"sin", Op::Sin}, {"cos", Op::Cos},
    {"tan", Op::Tan}, {"asin", Op::Asin}, {"acos", Op::Acos}, {"atan", Op::Atan}, {"sinh", Op::Sinh},
    {"cosh", Op::Cosh}, {"asinh", Op::Asinh}, {"acosh", Op::Acosh}, {"atanh", Op::Atanh}, {"log", Op::Log},
    {"isnan", Op::IsNaN}, {"isinf", Op::IsInf}};

Op parseOp(const LayerDesc& desc) {
  const std::string op = Attrs(desc).getString("op");
  for (const auto& [name, value] : kOps)
    if (op == name) return value;
  Attrs(desc).fail("op", "names an unknown unary operation '" + op + "'");
}

// Ops defined for integers as well as floats; the rest are float32 only (Not is bool only).
bool takesIntegers(Op op) { return op == Op::Abs || op == Op::Neg || op == Op::Sign || op == Op::Identity; }

template <Op O, typename T>
inline auto apply(T x, float alpha, float beta) {
  if constexpr (O == Op::IsNaN) return static_cast<uint8_t>(std::isnan(static_cast<float>(x)));
  else if constexpr (O == Op::IsInf) return static_cast<uint8_t>(std::isinf(static_cast<float>(x)));
  else if constexpr (O == Op::Abs) { if constexpr (std::is_signed<T>::value) return static_cast<T>(x < 0 ? -x : x); else return x; }
  else if constexpr (O == Op::Neg) return static_cast<T>(-x);
  else if constexpr (O == Op::Sign) return static_cast<T>(x > 0 ? 1 : (x < 0 ? -1 : 0));
  else if constexpr (O == Op::Not) return static_cast<T>(!x);
  else if constexpr (!std::is_same<T, float>::value || O == Op::Identity) return x;
  else if constexpr (O == Op::Erf) return std::erf(x);
  else if constexpr (O == Op::Elu) return x >= 0.f ? x : alpha * std::expm1(x);
  else if constexpr (O == Op::Selu) return beta * (x > 0.f ? x : alpha * std::expm1(x));
  else if constexpr (O == Op::Celu) return std::max(0.f, x) + std::min(0.f, alpha * std::expm1(x / alpha));
  else if constexpr (O == Op::Softplus) return x > 20.f ? x : std::log1p(std::exp(x));
  else if constexpr (O == Op::Softsign) return x / (1.f + std::fabs(x));
  else if constexpr (O == Op::Gelu) return 0.5f * x * (1.f + std::erf(x * 0.70710678118654752f));
  else if constexpr (O == Op::GeluTanh) return 0.5f * x * (1.f + std::tanh(0.79788456080286536f * (x + 0.044715f * x * x * x)));
  else if constexpr (O == Op::Mish) return x * std::tanh(x > 20.f ? x : std::log1p(std::exp(x)));
  else if constexpr (O == Op::ThresholdedRelu) return x > alpha ? x : 0.f;
  else if constexpr (O == Op::Round) return std::nearbyint(x);
  else if constexpr (O == Op::Sin) return std::sin(x);
  else if constexpr (O == Op::Cos) return std::cos(x);
  else if constexpr (O == Op::Tan) return std::tan(x);
  else if constexpr (O == Op::Asin) return std::asin(x);
  else if constexpr (O == Op::Acos) return std::acos(x);
  else if constexpr (O == Op::Atan) return std::atan(x);
  else if constexpr (O == Op::Sinh) return std::sinh(x);
  else if constexpr (O == Op::Cosh) return std::cosh(x);
  else if constexpr (O == Op::Asinh) return std::asinh(x);
  else if constexpr (O == Op::Acosh) return std::acosh(x);
  else if constexpr (O == Op::Atanh) return std::atanh(x);
  else return std::log(x);
}

class TypedUnaryLayer final : public Layer {
 public:
  TypedUnaryLayer(const LayerDesc& desc, DType type)
      : Layer(desc), op_(parseOp(desc)), type_(type), alpha_(Attrs(desc).getFloat("alpha", 0.f)), beta_(Attrs(desc).getFloat("beta", 0.f)) {}

  std::vector<Shape> inferShapes(const std::vector<Shape>& in) const override {
    expectInputs(in, 1);
    return {in[0]};
  }

  void run(const LayerRun& r) const override {
    dispatchType(type_, [&](auto tag) {
      using T = StorageOf<decltype(tag)>;
      switch (op_) {
#define KILN_CASE(name) case Op::name: return runOp<Op::name, T>(r);
        KILN_CASE(Abs) KILN_CASE(Neg) KILN_CASE(Sign) KILN_CASE(Not) KILN_CASE(Identity) KILN_CASE(Erf) KILN_CASE(Elu)
        KILN_CASE(Selu) KILN_CASE(Celu) KILN_CASE(Softplus) KILN_CASE(Softsign) KILN_CASE(Gelu) KILN_CASE(GeluTanh)
        KILN_CASE(Mish) KILN_CASE(ThresholdedRelu) KILN_CASE(Round) KILN_CASE(Sin) KILN_CASE(Cos) KILN_CASE(Tan)
        KILN_CASE(Asin) KILN_CASE(Acos) KILN_CASE(Atan) KILN_CASE(Sinh) KILN_CASE(Cosh) KILN_CASE(Asinh)
        KILN_CASE(Acosh) KILN_CASE(Atanh) KILN_CASE(Log) KILN_CASE(IsNaN) KILN_CASE(IsInf)
#undef KILN_CASE
      }
    });
  }

 private:
  template <Op O, typename T>
  void runOp(const LayerRun& r) const {
    using R = decltype(apply<O, T>(T{}, 0.f, 0.f));
    const T* x = r.in<T>(0);
    R* y = r.out<R>(0);
    const float alpha = alpha_, beta = beta_;
    parallelRange(*r.pool, elementCount(*r.outputShapes[0]), 16384, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) y[i] = apply<O, T>(x[i], alpha, beta);
    });
  }

  Op op_;
  DType type_;
  float alpha_, beta_;
};

KILN_REGISTER_LAYER("TypedUnary", [](const LayerDesc& desc, const LayerBuildContext& ctx) {
  const Op op = parseOp(desc);
  const DType type = ctx.inputTypes.empty() ? DType::Float32 : ctx.inputTypes[0];
  if (op == Op::Not) Layer::requireTypes(desc, ctx, {DType::Bool});
  else if (op == Op::IsNaN || op == Op::IsInf) {
    if (type != DType::Float32 || ctx.outputTypes.empty() || ctx.outputTypes[0] != DType::Bool)
      throw Error("KILN_BUILD", "layer '" + desc.name + "' (TypedUnary): input 0 is " + std::string(dtypeName(type)) + "; this kernel takes float32 (and gives bool)");
  } else if (takesIntegers(op)) Layer::requireTypes(desc, ctx, {DType::Float32, DType::Int32, DType::Int64, DType::Int8, DType::Uint8});
  else Layer::requireTypes(desc, ctx, {DType::Float32});
  return std::unique_ptr<Layer>(new TypedUnaryLayer(desc, type));
});

}  // namespace
}  // namespace kiln
