#include <cmath>

#include "engine/layer.h"
#include "layers/strided_copy.h"

namespace kiln {
namespace {

// (x - mean) / sqrt(var + epsilon) over the axes from `axis` to the last, for every index of the
// axes before it. Layer, instance and group normalization lower to this plus a scale and a shift.
// Optional outputs 1 and 2: the mean and 1 / sqrt(var + epsilon), the normalized axes kept as 1.
class NormalizeLayer final : public Layer {
 public:
  NormalizeLayer(const LayerDesc& desc) : Layer(desc), axis_(Attrs(desc).getInt("axis")), epsilon_(Attrs(desc).getFloat("epsilon")) {}

  std::vector<Shape> inferShapes(const std::vector<Shape>& in) const override {
    expectInputs(in, 1);
    int64_t axis;
    if (!normalizeAxis(axis_, in[0].size(), &axis)) shapeError("axis " + std::to_string(axis_) + " is out of range");
    std::vector<Shape> out{in[0]};
    Shape reduced = in[0];
    for (size_t d = axis; d < reduced.size(); ++d) reduced[d] = 1;
    for (size_t o = 1; o < desc_.outputs.size(); ++o) out.push_back(reduced);
    return out;
  }

  void run(const LayerRun& r) const override {
    const Shape& shape = *r.inputShapes[0];
    int64_t axis;
    normalizeAxis(axis_, shape.size(), &axis);
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= shape[d];
    for (size_t d = axis; d < shape.size(); ++d) inner *= shape[d];
    const float* x = r.in(0);
    float* y = r.out(0);
    float* means = r.outputs.size() > 1 ? r.out(1) : nullptr;
    float* invs = r.outputs.size() > 2 ? r.out(2) : nullptr;
    parallelRange(*r.pool, outer, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, inner)), [&](int64_t begin, int64_t end) {
      for (int64_t o = begin; o < end; ++o) {
        const float* px = x + o * inner;
        float* py = y + o * inner;
        double sum = 0;
        for (int64_t i = 0; i < inner; ++i) sum += px[i];
        const double mean = inner ? sum / inner : 0;
        double var = 0;
        for (int64_t i = 0; i < inner; ++i) var += (px[i] - mean) * (px[i] - mean);
        var = inner ? var / inner : 0;
        const float inv = static_cast<float>(1.0 / std::sqrt(var + epsilon_));
        const float m = static_cast<float>(mean);
        for (int64_t i = 0; i < inner; ++i) py[i] = (px[i] - m) * inv;
        if (means) means[o] = m;
        if (invs) invs[o] = inv;
      }
    });
  }

 private:
  int64_t axis_;
  float epsilon_;
};

KILN_REGISTER_LAYER("Normalize", [](const LayerDesc& desc, const LayerBuildContext& ctx) {
  Layer::requireTypes(desc, ctx, {DType::Float32});
  return std::unique_ptr<Layer>(new NormalizeLayer(desc));
});

}  // namespace
}  // namespace kiln
