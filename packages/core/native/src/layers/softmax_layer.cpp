#include <cmath>
#include <limits>

#include "engine/layer.h"
#include "layers/axis_view.h"
#include "layers/strided_copy.h"

namespace kiln {
namespace {

// Softmax (or, with log = 1, LogSoftmax) along one axis, max-subtracted for stability.
class SoftmaxLayer final : public Layer {
 public:
  SoftmaxLayer(const LayerDesc& desc) : Layer(desc), axis_(Attrs(desc).getInt("axis", -1)), log_(Attrs(desc).getInt("log", 0) != 0) {}

  std::vector<Shape> inferShapes(const std::vector<Shape>& in) const override {
    expectInputs(in, 1);
    int64_t axis;
    if (!normalizeAxis(axis_, in[0].size(), &axis)) shapeError("axis " + std::to_string(axis_) + " is out of range");
    return {in[0]};
  }

  void run(const LayerRun& r) const override {
    const Shape& shape = *r.inputShapes[0];
    int64_t axis;
    normalizeAxis(axis_, shape.size(), &axis);
    const AxisView v = axisView(shape, axis);
    const float* x = r.in(0);
    float* y = r.out(0);
    parallelRange(*r.pool, v.outer * v.inner, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, v.length)), [&](int64_t begin, int64_t end) {
      for (int64_t t = begin; t < end; ++t) {
        const int64_t o = t / v.inner, i = t % v.inner;
        const float* px = x + o * v.length * v.inner + i;
        float* py = y + o * v.length * v.inner + i;
        float max = -std::numeric_limits<float>::infinity();
        for (int64_t a = 0; a < v.length; ++a) max = std::max(max, px[a * v.inner]);
        double sum = 0;
        for (int64_t a = 0; a < v.length; ++a) {
          const float e = std::exp(px[a * v.inner] - max);
          sum += e;
          if (!log_) py[a * v.inner] = e;
        }
        if (log_) {
          const float shift = max + static_cast<float>(std::log(sum));
          for (int64_t a = 0; a < v.length; ++a) py[a * v.inner] = px[a * v.inner] - shift;
        } else {
          const float inv = static_cast<float>(1.0 / sum);
          for (int64_t a = 0; a < v.length; ++a) py[a * v.inner] *= inv;
        }
      }
    });
  }

 private:
  int64_t axis_;
  bool log_;
};

KILN_REGISTER_LAYER("Softmax", [](const LayerDesc& desc, const LayerBuildContext& ctx) {
  Layer::requireTypes(desc, ctx, {DType::Float32});
  return std::unique_ptr<Layer>(new SoftmaxLayer(desc));
});

}  // namespace
}  // namespace kiln
