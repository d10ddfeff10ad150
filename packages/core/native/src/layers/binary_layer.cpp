#include <cmath>

#include "engine/broadcast.h"
#include "engine/layer.h"
#include "layers/broadcast_rows.h"

namespace kiln {
namespace {

enum class BinaryOp { Add, Sub, Mul, Div, Pow, Max, Min };

BinaryOp parseOp(const LayerDesc& desc) {
  const std::string op = Attrs(desc).getString("op");
  if (op == "add") return BinaryOp::Add;
  if (op == "sub") return BinaryOp::Sub;
  if (op == "mul") return BinaryOp::Mul;
  if (op == "div") return BinaryOp::Div;
  if (op == "pow") return BinaryOp::Pow;
  if (op == "max") return BinaryOp::Max;
  if (op == "min") return BinaryOp::Min;
  Attrs(desc).fail("op", "names an unknown binary operation '" + op + "'");
}

template <BinaryOp Op>
inline float apply(float a, float b) {
  if constexpr (Op == BinaryOp::Add) return a + b;
  if constexpr (Op == BinaryOp::Sub) return a - b;
  if constexpr (Op == BinaryOp::Mul) return a * b;
  if constexpr (Op == BinaryOp::Div) return a / b;
  if constexpr (Op == BinaryOp::Pow) return b == 2.f ? a * a : std::pow(a, b);
  if constexpr (Op == BinaryOp::Max) return a > b ? a : b;
  if constexpr (Op == BinaryOp::Min) return a < b ? a : b;
}

// Elementwise op over NumPy-broadcast inputs: the output is walked row by row (broadcastRows), each
// input with its own broadcast strides.
class BinaryLayer final : public Layer {
 public:
  BinaryLayer(const LayerDesc& desc) : Layer(desc), op_(parseOp(desc)) {}

  std::vector<Shape> inferShapes(const std::vector<Shape>& in) const override {
    expectInputs(in, 2);
    Shape out;
    if (!broadcastShapes(in[0], in[1], &out))
      shapeError("cannot broadcast " + shapeToString(in[0]) + " with " + shapeToString(in[1]));
    return {out};
  }

  void run(const LayerRun& r) const override {
    switch (op_) {
      case BinaryOp::Add: return runOp<BinaryOp::Add>(r);
      case BinaryOp::Sub: return runOp<BinaryOp::Sub>(r);
      case BinaryOp::Mul: return runOp<BinaryOp::Mul>(r);
      case BinaryOp::Div: return runOp<BinaryOp::Div>(r);
      case BinaryOp::Pow: return runOp<BinaryOp::Pow>(r);
      case BinaryOp::Max: return runOp<BinaryOp::Max>(r);
      case BinaryOp::Min: return runOp<BinaryOp::Min>(r);
    }
  }

 private:
  template <BinaryOp Op>
  void runOp(const LayerRun& r) const {
    const float* a = r.in(0);
    const float* b = r.in(1);
    float* y = r.out(0);
    broadcastRows<2>({r.inputShapes[0], r.inputShapes[1]}, *r.outputShapes[0], *r.pool,
                     [&](int64_t out, const std::array<int64_t, 2>& at, const std::array<int64_t, 2>& step, int64_t inner) {
                       const float* pa = a + at[0];
                       const float* pb = b + at[1];
                       float* py = y + out;
                       if (step[0] == 1 && step[1] == 1) {
                         for (int64_t i = 0; i < inner; ++i) py[i] = apply<Op>(pa[i], pb[i]);
                       } else if (step[0] == 1 && step[1] == 0) {
                         const float vb = *pb;
                         for (int64_t i = 0; i < inner; ++i) py[i] = apply<Op>(pa[i], vb);
                       } else if (step[0] == 0 && step[1] == 1) {
                         const float va = *pa;
                         for (int64_t i = 0; i < inner; ++i) py[i] = apply<Op>(va, pb[i]);
                       } else {
                         for (int64_t i = 0; i < inner; ++i) py[i] = apply<Op>(pa[i * step[0]], pb[i * step[1]]);
                       }
                     });
  }

  BinaryOp op_;
};

KILN_REGISTER_LAYER("Binary", [](const LayerDesc& desc, const LayerBuildContext& ctx) {
  Layer::requireTypes(desc, ctx, {DType::Float32});
  return std::unique_ptr<Layer>(new BinaryLayer(desc));
});

}  // namespace
}  // namespace kiln
