#include "engine/layer.h"
#include "layers/strided_copy.h"

namespace kiln {
namespace {

class ConcatLayer final : public Layer {
 public:
  ConcatLayer(const LayerDesc& desc) : Layer(desc), axis_(Attrs(desc).getInt("axis")) {}

  std::vector<Shape> inferShapes(const std::vector<Shape>& in) const override {
    if (in.empty()) shapeError("expects at least one input");
    int64_t axis;
    if (!normalizeAxis(axis_, in[0].size(), &axis)) shapeError("axis " + std::to_string(axis_) + " is out of range");
    Shape out = in[0];
    out[axis] = 0;
    for (const Shape& s : in) {
      if (s.size() != out.size()) shapeError("inputs have different ranks");
      for (size_t d = 0; d < s.size(); ++d)
        if (static_cast<int64_t>(d) != axis && s[d] != out[d])
          shapeError("inputs " + shapeToString(in[0]) + " and " + shapeToString(s) + " differ off the concat axis");
      out[axis] += s[axis];
    }
    return {out};
  }

  void run(const LayerRun& r) const override {
    const Shape& out = *r.outputShapes[0];
    int64_t axis;
    normalizeAxis(axis_, out.size(), &axis);
    int64_t outer = 1, inner = static_cast<int64_t>(dtypeSize(r.outputTypes[0]));
    for (int64_t d = 0; d < axis; ++d) outer *= out[d];
    for (size_t d = axis + 1; d < out.size(); ++d) inner *= out[d];
    int64_t row = 0;
    for (size_t i = 0; i < r.inputs.size(); ++i) {
      const int64_t rows = (*r.inputShapes[i])[axis];
      copyAxisBlock(r.inputs[i], rows, 0, r.outputs[0], out[axis], row, outer, rows, inner, *r.pool);
      row += rows;
    }
  }

 private:
  int64_t axis_;
};

KILN_REGISTER_LAYER("Concat", [](const LayerDesc& desc, const LayerBuildContext& ctx) {
  for (DType t : ctx.inputTypes)
    if (t != ctx.outputTypes.at(0)) throw Error("KILN_BUILD", "layer '" + desc.name + "' (Concat): inputs of different types");
  return std::unique_ptr<Layer>(new ConcatLayer(desc));
});

}  // namespace
}  // namespace kiln
