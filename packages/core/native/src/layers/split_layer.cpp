#include "engine/layer.h"
#include "layers/strided_copy.h"

namespace kiln {
namespace {

// Split along an axis into the given sizes (attribute `split`), or into equal parts when absent.
class SplitLayer final : public Layer {
 public:
  SplitLayer(const LayerDesc& desc)
      : Layer(desc), axis_(Attrs(desc).getInt("axis")), sizes_(Attrs(desc).getInts("split", {})) {}

  std::vector<Shape> inferShapes(const std::vector<Shape>& in) const override {
    expectInputs(in, 1);
    int64_t axis;
    if (!normalizeAxis(axis_, in[0].size(), &axis)) shapeError("axis " + std::to_string(axis_) + " is out of range");
    const auto sizes = partSizes(in[0][axis]);
    std::vector<Shape> out;
    for (int64_t size : sizes) {
      Shape s = in[0];
      s[axis] = size;
      out.push_back(s);
    }
    return out;
  }

  void run(const LayerRun& r) const override {
    const Shape& in = *r.inputShapes[0];
    int64_t axis;
    normalizeAxis(axis_, in.size(), &axis);
    int64_t outer = 1, inner = static_cast<int64_t>(dtypeSize(r.inputTypes[0]));
    for (int64_t d = 0; d < axis; ++d) outer *= in[d];
    for (size_t d = axis + 1; d < in.size(); ++d) inner *= in[d];
    int64_t row = 0;
    for (size_t i = 0; i < r.outputs.size(); ++i) {
      const int64_t rows = (*r.outputShapes[i])[axis];
      copyAxisBlock(r.inputs[0], in[axis], row, r.outputs[i], rows, 0, outer, rows, inner, *r.pool);
      row += rows;
    }
  }

 private:
  std::vector<int64_t> partSizes(int64_t length) const {
    const int64_t parts = static_cast<int64_t>(desc_.outputs.size());
    if (!sizes_.empty()) {
      int64_t sum = 0;
      for (int64_t s : sizes_) sum += s;
      if (static_cast<int64_t>(sizes_.size()) != parts || sum != length)
        shapeError("split sizes do not add up to the axis length " + std::to_string(length));
      return sizes_;
    }
    const int64_t each = (length + parts - 1) / parts;
    std::vector<int64_t> sizes;
    for (int64_t i = 0, left = length; i < parts; ++i, left -= each) sizes.push_back(std::min(each, left));
    if (sizes.back() < 0) shapeError("cannot split an axis of length " + std::to_string(length) + " into " + std::to_string(parts));
    return sizes;
  }

  int64_t axis_;
  std::vector<int64_t> sizes_;
};

KILN_REGISTER_LAYER("Split", [](const LayerDesc& desc, const LayerBuildContext&) {
  return std::unique_ptr<Layer>(new SplitLayer(desc));
});

}  // namespace
}  // namespace kiln
