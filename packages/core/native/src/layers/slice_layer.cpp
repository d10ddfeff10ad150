#include <algorithm>
#include <limits>

#include "engine/layer.h"
#include "layers/strided_copy.h"

namespace kiln {
namespace {

// ONNX Slice with constant starts/ends/axes/steps, clamped against the actual input shape.
class SliceLayer final : public Layer {
 public:
  SliceLayer(const LayerDesc& desc) : Layer(desc) {
    Attrs attrs(desc);
    starts_ = attrs.getInts("starts");
    ends_ = attrs.getInts("ends");
    axes_ = attrs.getInts("axes", {});
    steps_ = attrs.getInts("steps", {});
    if (axes_.empty())
      for (size_t i = 0; i < starts_.size(); ++i) axes_.push_back(static_cast<int64_t>(i));
    if (steps_.empty()) steps_.assign(starts_.size(), 1);
    if (ends_.size() != starts_.size() || axes_.size() != starts_.size() || steps_.size() != starts_.size())
      attrs.fail("starts", "ends, axes and steps must all have as many entries as starts");
    for (int64_t step : steps_)
      if (step == 0) attrs.fail("steps", "must not contain 0");
  }

  struct Plan {
    Shape out;
    std::vector<int64_t> begin, step;
  };

  Plan plan(const Shape& in) const {
    Plan p{in, std::vector<int64_t>(in.size(), 0), std::vector<int64_t>(in.size(), 1)};
    for (size_t i = 0; i < starts_.size(); ++i) {
      int64_t axis;
      if (!normalizeAxis(axes_[i], in.size(), &axis)) shapeError("axis " + std::to_string(axes_[i]) + " is out of range");
      const int64_t dim = in[axis], step = steps_[i];
      int64_t start = starts_[i] < 0 ? starts_[i] + dim : starts_[i];
      int64_t end = ends_[i] < 0 ? ends_[i] + dim : ends_[i];
      if (step > 0) {
        start = std::clamp<int64_t>(start, 0, dim);
        end = std::clamp<int64_t>(end, 0, dim);
        p.out[axis] = end > start ? (end - start + step - 1) / step : 0;
      } else {
        start = std::clamp<int64_t>(start, 0, dim - 1);
        end = std::clamp<int64_t>(end, -1, dim - 1);
        p.out[axis] = start > end ? (start - end - step - 1) / -step : 0;
      }
      p.begin[axis] = start;
      p.step[axis] = step;
    }
    return p;
  }

  std::vector<Shape> inferShapes(const std::vector<Shape>& in) const override {
    expectInputs(in, 1);
    return {plan(in[0]).out};
  }

  void run(const LayerRun& r) const override {
    const Shape& in = *r.inputShapes[0];
    const Plan p = plan(in);
    const auto inStrides = stridesOf(in);
    int64_t offset = 0;
    std::vector<int64_t> strides(in.size());
    for (size_t d = 0; d < in.size(); ++d) {
      offset += p.begin[d] * inStrides[d];
      strides[d] = p.step[d] * inStrides[d];
    }
    const size_t size = dtypeSize(r.inputTypes[0]);
    gatherStrided(static_cast<const char*>(r.inputs[0]) + offset * size, strides, p.out, r.outputs[0], size, *r.pool);
  }

 private:
  std::vector<int64_t> starts_, ends_, axes_, steps_;
};

KILN_REGISTER_LAYER("Slice", [](const LayerDesc& desc, const LayerBuildContext&) {
  return std::unique_ptr<Layer>(new SliceLayer(desc));
});

}  // namespace
}  // namespace kiln
