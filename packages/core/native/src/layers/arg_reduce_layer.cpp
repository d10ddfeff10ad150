#include "engine/layer.h"
#include "layers/axis_view.h"
#include "layers/dtype_dispatch.h"
#include "layers/strided_copy.h"

namespace kiln {
namespace {

// ArgMax / ArgMin along one axis: int64 indices of the first (or, with select_last_index, the
// last) extreme element.
class ArgReduceLayer final : public Layer {
 public:
  ArgReduceLayer(const LayerDesc& desc, DType type) : Layer(desc), type_(type) {
    Attrs attrs(desc);
    max_ = attrs.getString("op") == "max";
    axis_ = attrs.getInt("axis", 0);
    keep_ = attrs.getInt("keepdims", 1) != 0;
    last_ = attrs.getInt("select_last_index", 0) != 0;
  }

  std::vector<Shape> inferShapes(const std::vector<Shape>& in) const override {
    expectInputs(in, 1);
    int64_t axis;
    if (!normalizeAxis(axis_, in[0].size(), &axis)) shapeError("axis " + std::to_string(axis_) + " is out of range");
    if (in[0][axis] == 0) shapeError("cannot take the arg-extreme of an empty axis");
    Shape out = in[0];
    if (keep_) out[axis] = 1;
    else out.erase(out.begin() + axis);
    return {out};
  }

  void run(const LayerRun& r) const override {
    dispatchType(type_, [&](auto tag) { runAs<StorageOf<decltype(tag)>>(r); });
  }

 private:
  template <typename T>
  void runAs(const LayerRun& r) const {
    int64_t axis;
    normalizeAxis(axis_, r.inputShapes[0]->size(), &axis);
    const AxisView v = axisView(*r.inputShapes[0], axis);
    const T* x = r.in<T>(0);
    int64_t* y = r.out<int64_t>(0);
    parallelRange(*r.pool, v.outer * v.inner, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, v.length)), [&](int64_t begin, int64_t end) {
      for (int64_t t = begin; t < end; ++t) {
        const T* px = x + (t / v.inner) * v.length * v.inner + t % v.inner;
        int64_t best = 0;
        for (int64_t a = 1; a < v.length; ++a) {
          const T cur = px[a * v.inner], b = px[best * v.inner];
          const bool better = max_ ? (last_ ? cur >= b : cur > b) : (last_ ? cur <= b : cur < b);
          if (better) best = a;
        }
        y[t] = best;
      }
    });
  }

  DType type_;
  bool max_, keep_, last_;
  int64_t axis_;
};

KILN_REGISTER_LAYER("ArgReduce", [](const LayerDesc& desc, const LayerBuildContext& ctx) {
  if (ctx.outputTypes.size() != 1 || ctx.outputTypes[0] != DType::Int64)
    throw Error("KILN_BUILD", "layer '" + desc.name + "' (ArgReduce): the output must be int64");
  if (ctx.inputTypes.size() != 1 || ctx.inputTypes[0] == DType::Float16 || ctx.inputTypes[0] == DType::Bool)
    throw Error("KILN_BUILD", "layer '" + desc.name + "' (ArgReduce): this kernel takes float32 and integer inputs");
  return std::unique_ptr<Layer>(new ArgReduceLayer(desc, ctx.inputTypes[0]));
});

}  // namespace
}  // namespace kiln
