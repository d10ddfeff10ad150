#include <cmath>

#include "engine/broadcast.h"
#include "engine/layer.h"
#include "layers/parallel.h"

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

// Elementwise op over NumPy-broadcast inputs: the output is walked row by row (its last axis), each
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
    const Shape& out = *r.outputShapes[0];
    const float* a = r.in(0);
    const float* b = r.in(1);
    float* y = r.out(0);
    const int64_t total = elementCount(out);
    if (total == 0) return;
    if (*r.inputShapes[0] == out && *r.inputShapes[1] == out) {
      parallelRange(*r.pool, total, 16384, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) y[i] = apply<Op>(a[i], b[i]);
      });
      return;
    }
    const Shape shape = out.empty() ? Shape{1} : out;
    const auto sa = broadcastStrides(r.inputShapes[0]->empty() ? Shape{1} : *r.inputShapes[0], shape);
    const auto sb = broadcastStrides(r.inputShapes[1]->empty() ? Shape{1} : *r.inputShapes[1], shape);
    const size_t rank = shape.size();
    const int64_t inner = shape[rank - 1];
    const int64_t rows = total / inner;
    const int64_t ia = sa[rank - 1], ib = sb[rank - 1];
    parallelRange(*r.pool, rows, std::max<int64_t>(1, 16384 / inner), [&](int64_t begin, int64_t end) {
      for (int64_t row = begin; row < end; ++row) {
        int64_t rem = row, offA = 0, offB = 0;
        for (int64_t d = static_cast<int64_t>(rank) - 2; d >= 0; --d) {
          const int64_t idx = rem % shape[d];
          rem /= shape[d];
          offA += idx * sa[d];
          offB += idx * sb[d];
        }
        const float* pa = a + offA;
        const float* pb = b + offB;
        float* py = y + row * inner;
        if (ia == 1 && ib == 1) {
          for (int64_t i = 0; i < inner; ++i) py[i] = apply<Op>(pa[i], pb[i]);
        } else if (ia == 1 && ib == 0) {
          const float vb = *pb;
          for (int64_t i = 0; i < inner; ++i) py[i] = apply<Op>(pa[i], vb);
        } else if (ia == 0 && ib == 1) {
          const float va = *pa;
          for (int64_t i = 0; i < inner; ++i) py[i] = apply<Op>(va, pb[i]);
        } else {
          for (int64_t i = 0; i < inner; ++i) py[i] = apply<Op>(pa[i * ia], pb[i * ib]);
        }
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
