#include <cmath>
#include <limits>

#include "engine/layer.h"
#include "layers/dtype_dispatch.h"
#include "layers/strided_copy.h"

namespace kiln {
namespace {

// Reduce* over a set of axes (all when `axes` is empty), keeping them as 1s or dropping them.
// Accumulates in double; an empty reduction gives the op's identity (0, 1, -inf, +inf).
enum class Op { Sum, Mean, Max, Min, Prod, L1, L2, LogSum, LogSumExp, SumSquare };

const std::pair<const char*, Op> kOps[] = {{"sum", Op::Sum}, {"mean", Op::Mean}, {"max", Op::Max}, {"min", Op::Min},
                                           {"prod", Op::Prod}, {"l1", Op::L1}, {"l2", Op::L2}, {"log_sum", Op::LogSum},
                                           {"log_sum_exp", Op::LogSumExp}, {"sum_square", Op::SumSquare}};

Op parseOp(const LayerDesc& desc) {
  const std::string op = Attrs(desc).getString("op");
  for (const auto& [name, value] : kOps)
    if (op == name) return value;
  Attrs(desc).fail("op", "names an unknown reduction '" + op + "'");
}

class ReduceLayer final : public Layer {
 public:
  ReduceLayer(const LayerDesc& desc, DType type)
      : Layer(desc), op_(parseOp(desc)), type_(type), axes_(Attrs(desc).getInts("axes", {})), keep_(Attrs(desc).getInt("keepdims", 1) != 0) {}

  std::vector<bool> reduced(const Shape& in) const {
    std::vector<bool> mask(in.size(), axes_.empty());
    for (int64_t a : axes_) {
      int64_t axis;
      if (!normalizeAxis(a, in.size(), &axis)) shapeError("axis " + std::to_string(a) + " is out of range");
      mask[axis] = true;
    }
    return mask;
  }

  std::vector<Shape> inferShapes(const std::vector<Shape>& in) const override {
    expectInputs(in, 1);
    const auto mask = reduced(in[0]);
    Shape out;
    for (size_t d = 0; d < in[0].size(); ++d) {
      if (!mask[d]) out.push_back(in[0][d]);
      else if (keep_) out.push_back(1);
    }
    return {out};
  }

  void run(const LayerRun& r) const override {
    dispatchType(type_, [&](auto tag) { runAs<StorageOf<decltype(tag)>>(r); });
  }

 private:
  template <typename T>
  void runAs(const LayerRun& r) const {
    const Shape& in = *r.inputShapes[0];
    const auto mask = reduced(in);
    const auto strides = stridesOf(in);
    Shape keptShape, redShape;
    std::vector<int64_t> keptStrides, redStrides;
    for (size_t d = 0; d < in.size(); ++d) {
      (mask[d] ? redShape : keptShape).push_back(in[d]);
      (mask[d] ? redStrides : keptStrides).push_back(strides[d]);
    }
    const int64_t outCount = elementCount(keptShape), redCount = elementCount(redShape);
    const T* x = r.in<T>(0);
    T* y = r.out<T>(0);
    parallelRange(*r.pool, outCount, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, redCount)), [&](int64_t begin, int64_t end) {
      std::vector<int64_t> idx(redShape.size());
      for (int64_t o = begin; o < end; ++o) {
        int64_t base = 0, rem = o;
        for (int64_t d = static_cast<int64_t>(keptShape.size()) - 1; d >= 0; --d) {
          base += (rem % keptShape[d]) * keptStrides[d];
          rem /= keptShape[d];
        }
        double acc = identity();
        std::fill(idx.begin(), idx.end(), 0);
        int64_t offset = base;
        for (int64_t e = 0; e < redCount; ++e) {
          acc = step(acc, static_cast<double>(x[offset]));
          for (int64_t d = static_cast<int64_t>(idx.size()) - 1; d >= 0; --d) {
            offset += redStrides[d];
            if (++idx[d] < redShape[d]) break;
            offset -= idx[d] * redStrides[d];
            idx[d] = 0;
          }
        }
        y[o] = finish<T>(acc, redCount);
      }
    });
  }

  double identity() const {
    switch (op_) {
      case Op::Max: return -std::numeric_limits<double>::infinity();
      case Op::Min: return std::numeric_limits<double>::infinity();
      case Op::Prod: return 1;
      case Op::LogSumExp: return -std::numeric_limits<double>::infinity();
      default: return 0;
    }
  }

  double step(double acc, double v) const {
    switch (op_) {
      case Op::Max: return v > acc || std::isnan(v) ? v : acc;
      case Op::Min: return v < acc || std::isnan(v) ? v : acc;
      case Op::Prod: return acc * v;
      case Op::L1: return acc + std::fabs(v);
      case Op::L2: case Op::SumSquare: return acc + v * v;
      case Op::LogSumExp: {
        // log(exp(acc) + exp(v)) without overflow.
        if (acc == -std::numeric_limits<double>::infinity()) return v;
        const double hi = std::max(acc, v), lo = std::min(acc, v);
        return hi + std::log1p(std::exp(lo - hi));
      }
      default: return acc + v;
    }
  }

  template <typename T>
  T finish(double acc, int64_t count) const {
    double v = acc;
    if (op_ == Op::Mean) v = count ? acc / count : std::numeric_limits<double>::quiet_NaN();
    else if (op_ == Op::L2) v = std::sqrt(acc);
    else if (op_ == Op::LogSum) v = std::log(acc);
    if constexpr (std::is_floating_point<T>::value) return static_cast<T>(v);
    else return std::isfinite(v) ? static_cast<T>(op_ == Op::Mean ? std::trunc(v) : v) : T(0);
  }

  Op op_;
  DType type_;
  std::vector<int64_t> axes_;
  bool keep_;
};

KILN_REGISTER_LAYER("Reduce", [](const LayerDesc& desc, const LayerBuildContext& ctx) {
  const Op op = parseOp(desc);
  const bool integerOk = op == Op::Sum || op == Op::Max || op == Op::Min || op == Op::Prod || op == Op::Mean || op == Op::L1 || op == Op::SumSquare;
  if (integerOk) Layer::requireTypes(desc, ctx, {DType::Float32, DType::Int32, DType::Int64, DType::Int8, DType::Uint8});
  else Layer::requireTypes(desc, ctx, {DType::Float32});
  return std::unique_ptr<Layer>(new ReduceLayer(desc, ctx.inputTypes.empty() ? DType::Float32 : ctx.inputTypes[0]));
});

}  // namespace
}  // namespace kiln
