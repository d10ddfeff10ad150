#include <algorithm>
#include <numeric>

#include "engine/layer.h"
#include "layers/axis_view.h"
#include "layers/dtype_dispatch.h"
#include "layers/strided_copy.h"

namespace kiln {
namespace {

// TopK along an axis with a build-time k: values and int64 indices of the k largest (or smallest)
// elements, sorted; equal values keep the lower index first.
class TopKLayer final : public Layer {
 public:
  TopKLayer(const LayerDesc& desc, DType type) : Layer(desc), type_(type) {
    Attrs attrs(desc);
    k_ = attrs.getInt("k");
    axis_ = attrs.getInt("axis", -1);
    largest_ = attrs.getInt("largest", 1) != 0;
  }

  std::vector<Shape> inferShapes(const std::vector<Shape>& in) const override {
    expectInputs(in, 1);
    int64_t axis;
    if (!normalizeAxis(axis_, in[0].size(), &axis)) shapeError("axis " + std::to_string(axis_) + " is out of range");
    if (k_ < 0 || k_ > in[0][axis]) shapeError("k = " + std::to_string(k_) + " exceeds the axis length " + std::to_string(in[0][axis]));
    Shape out = in[0];
    out[axis] = k_;
    return {out, out};
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
    T* values = r.out<T>(0);
    int64_t* indices = r.out<int64_t>(1);
    const int64_t k = k_;
    parallelRange(*r.pool, v.outer * v.inner, 1, [&](int64_t begin, int64_t end) {
      std::vector<int64_t> order(v.length);
      for (int64_t t = begin; t < end; ++t) {
        const int64_t base = (t / v.inner) * v.length * v.inner + t % v.inner;
        const int64_t outBase = (t / v.inner) * k * v.inner + t % v.inner;
        std::iota(order.begin(), order.end(), 0);
        auto before = [&](int64_t a, int64_t b) {
          const T va = x[base + a * v.inner], vb = x[base + b * v.inner];
          if (va != vb) return largest_ ? va > vb : va < vb;
          return a < b;
        };
        std::partial_sort(order.begin(), order.begin() + k, order.end(), before);
        for (int64_t i = 0; i < k; ++i) {
          values[outBase + i * v.inner] = x[base + order[i] * v.inner];
          indices[outBase + i * v.inner] = order[i];
        }
      }
    });
  }

  DType type_;
  int64_t k_, axis_;
  bool largest_;
};

KILN_REGISTER_LAYER("TopK", [](const LayerDesc& desc, const LayerBuildContext& ctx) {
  if (ctx.inputTypes.size() != 1 || ctx.outputTypes.size() != 2 || ctx.outputTypes[1] != DType::Int64 || ctx.inputTypes[0] == DType::Float16 || ctx.inputTypes[0] == DType::Bool)
    throw Error("KILN_BUILD", "layer '" + desc.name + "' (TopK): this kernel takes float32 or integer values and gives int64 indices");
  return std::unique_ptr<Layer>(new TopKLayer(desc, ctx.inputTypes[0]));
});

}  // namespace
}  // namespace kiln
