#include <cmath>
#include <limits>
#include <string>
#include <type_traits>

#include "engine/layer.h"
#include "layers/broadcast_rows.h"
#include "layers/dtype_dispatch.h"

namespace kiln {
namespace {

// Broadcasting binary ops over every element type (the float32 arithmetic fast path is Binary):
// arithmetic, integer and float remainders, comparisons (to bool), logic on bool, and PRelu.
enum class Op { Add, Sub, Mul, Div, Pow, Max, Min, Mod, Fmod, Equal, Less, Greater, LessEqual, GreaterEqual, And, Or, Xor, PRelu };

const std::pair<const char*, Op> kOps[] = {
    {"add", Op::Add}, {"sub", Op::Sub}, {"mul", Op::Mul}, {"div", Op::Div}, {"pow", Op::Pow}, {"max", Op::Max},
    {"min", Op::Min}, {"mod", Op::Mod}, {"fmod", Op::Fmod}, {"equal", Op::Equal}, {"less", Op::Less},
    {"greater", Op::Greater}, {"less_equal", Op::LessEqual}, {"greater_equal", Op::GreaterEqual}, {"and", Op::And},
    {"or", Op::Or}, {"xor", Op::Xor}, {"prelu", Op::PRelu}};

Op parseOp(const LayerDesc& desc) {
  const std::string op = Attrs(desc).getString("op");
  for (const auto& [name, value] : kOps)
    if (op == name) return value;
  Attrs(desc).fail("op", "names an unknown binary operation '" + op + "'");
}

bool isComparison(Op op) { return op == Op::Equal || op == Op::Less || op == Op::Greater || op == Op::LessEqual || op == Op::GreaterEqual; }
bool isLogical(Op op) { return op == Op::And || op == Op::Or || op == Op::Xor; }

// Integer division and remainder are defined for every input: x/0 gives 0 (as does x%0), and
// INT_MIN/-1 wraps instead of trapping.
template <typename T>
T intDiv(T a, T b) {
  if (b == 0) return 0;
  if (std::is_signed<T>::value && b == T(-1)) return static_cast<T>(0 - static_cast<std::make_unsigned_t<T>>(a));
  return a / b;
}
template <typename T>
T intRem(T a, T b) {
  if (b == 0 || (std::is_signed<T>::value && b == T(-1))) return 0;
  return a % b;
}

template <typename T>
T intPow(T base, T exp) {
  if (exp < 0) return base == 1 ? 1 : (base == T(-1) ? (exp % 2 ? T(-1) : 1) : 0);
  T result = 1;
  for (; exp > 0; exp >>= 1, base = static_cast<T>(base * base))
    if (exp & 1) result = static_cast<T>(result * base);
  return result;
}

template <Op O, typename T>
inline auto apply(T a, T b) {
  constexpr bool kFloat = std::is_floating_point<T>::value;
  if constexpr (O == Op::Add) return static_cast<T>(a + b);
  if constexpr (O == Op::Sub) return static_cast<T>(a - b);
  if constexpr (O == Op::Mul) return static_cast<T>(a * b);
  if constexpr (O == Op::Div) { if constexpr (kFloat) return a / b; else return intDiv(a, b); }
  if constexpr (O == Op::Pow) { if constexpr (kFloat) return std::pow(a, b); else return intPow(a, b); }
  if constexpr (O == Op::Max) return a > b ? a : b;
  if constexpr (O == Op::Min) return a < b ? a : b;
  if constexpr (O == Op::Fmod) { if constexpr (kFloat) return std::fmod(a, b); else return intRem(a, b); }
  if constexpr (O == Op::Mod) {
    // Python's remainder: the sign of the divisor.
    if constexpr (kFloat) {
      T m = std::fmod(a, b);
      return (m != 0 && ((m < 0) != (b < 0))) ? m + b : m;
    } else {
      T m = intRem(a, b);
      return (m != 0 && ((m < 0) != (b < 0))) ? static_cast<T>(m + b) : m;
    }
  }
  if constexpr (O == Op::Equal) return static_cast<uint8_t>(a == b);
  if constexpr (O == Op::Less) return static_cast<uint8_t>(a < b);
  if constexpr (O == Op::Greater) return static_cast<uint8_t>(a > b);
  if constexpr (O == Op::LessEqual) return static_cast<uint8_t>(a <= b);
  if constexpr (O == Op::GreaterEqual) return static_cast<uint8_t>(a >= b);
  if constexpr (O == Op::And) return static_cast<uint8_t>(a && b);
  if constexpr (O == Op::Or) return static_cast<uint8_t>(a || b);
  if constexpr (O == Op::Xor) return static_cast<uint8_t>((a != 0) != (b != 0));
  if constexpr (O == Op::PRelu) return a < 0 ? static_cast<T>(a * b) : a;
}

class TypedBinaryLayer final : public Layer {
 public:
  TypedBinaryLayer(const LayerDesc& desc, DType type) : Layer(desc), op_(parseOp(desc)), type_(type) {}

  std::vector<Shape> inferShapes(const std::vector<Shape>& in) const override {
    expectInputs(in, 2);
    Shape out;
    if (!broadcastShapes(in[0], in[1], &out)) shapeError("cannot broadcast " + shapeToString(in[0]) + " with " + shapeToString(in[1]));
    return {out};
  }

  void run(const LayerRun& r) const override {
    dispatchType(type_, [&](auto tag) {
      using T = StorageOf<decltype(tag)>;
      switch (op_) {
#define KILN_CASE(name) case Op::name: return runOp<Op::name, T>(r);
        KILN_CASE(Add) KILN_CASE(Sub) KILN_CASE(Mul) KILN_CASE(Div) KILN_CASE(Pow) KILN_CASE(Max) KILN_CASE(Min)
        KILN_CASE(Mod) KILN_CASE(Fmod) KILN_CASE(Equal) KILN_CASE(Less) KILN_CASE(Greater) KILN_CASE(LessEqual)
        KILN_CASE(GreaterEqual) KILN_CASE(And) KILN_CASE(Or) KILN_CASE(Xor) KILN_CASE(PRelu)
#undef KILN_CASE
      }
    });
  }

 private:
  template <Op O, typename T>
  void runOp(const LayerRun& r) const {
    using R = decltype(apply<O, T>(T{}, T{}));
    const T* a = r.in<T>(0);
    const T* b = r.in<T>(1);
    R* y = r.out<R>(0);
    broadcastRows<2>({r.inputShapes[0], r.inputShapes[1]}, *r.outputShapes[0], *r.pool,
                     [&](int64_t o, const std::array<int64_t, 2>& off, const std::array<int64_t, 2>& st, int64_t n) {
                       const T* pa = a + off[0];
                       const T* pb = b + off[1];
                       R* py = y + o;
                       if (st[0] == 1 && st[1] == 1)
                         for (int64_t i = 0; i < n; ++i) py[i] = apply<O, T>(pa[i], pb[i]);
                       else
                         for (int64_t i = 0; i < n; ++i) py[i] = apply<O, T>(pa[i * st[0]], pb[i * st[1]]);
                     });
  }

  Op op_;
  DType type_;
};

KILN_REGISTER_LAYER("TypedBinary", [](const LayerDesc& desc, const LayerBuildContext& ctx) {
  const Op op = parseOp(desc);
  const DType type = ctx.inputTypes.empty() ? DType::Float32 : ctx.inputTypes[0];
  if (ctx.inputTypes.size() != 2 || ctx.inputTypes[1] != type)
    throw Error("KILN_BUILD", "layer '" + desc.name + "' (TypedBinary): both inputs must have one element type");
  if (isLogical(op)) Layer::requireTypes(desc, ctx, {DType::Bool});
  else if (isComparison(op)) Layer::requireTypes(desc, ctx, {DType::Float32, DType::Int32, DType::Int64, DType::Int8, DType::Uint8, DType::Bool});
  else if (op == Op::PRelu || op == Op::Pow) Layer::requireTypes(desc, ctx, {DType::Float32, DType::Int32, DType::Int64});
  else Layer::requireTypes(desc, ctx, {DType::Float32, DType::Int32, DType::Int64, DType::Int8, DType::Uint8});
  if (isComparison(op) || isLogical(op)) {
    if (ctx.outputTypes.empty() || ctx.outputTypes[0] != DType::Bool)
      throw Error("KILN_BUILD", "layer '" + desc.name + "' (TypedBinary): a comparison's output must be bool");
  } else if (ctx.outputTypes.empty() || ctx.outputTypes[0] != type) {
    throw Error("KILN_BUILD", "layer '" + desc.name + "' (TypedBinary): the output must have the inputs' element type");
  }
  return std::unique_ptr<Layer>(new TypedBinaryLayer(desc, type));
});

}  // namespace
}  // namespace kiln
