#include <cstring>

#include "engine/layer.h"
#include "layers/parallel.h"

namespace kiln {
namespace {

// Reshape with ONNX semantics for the target: 0 copies the input's dimension, -1 is inferred.
class ReshapeLayer final : public Layer {
 public:
  ReshapeLayer(const LayerDesc& desc) : Layer(desc), shape_(Attrs(desc).getInts("shape")) {}

  std::vector<Shape> inferShapes(const std::vector<Shape>& in) const override {
    expectInputs(in, 1);
    Shape out = shape_;
    int64_t known = 1, inferred = -1;
    for (size_t i = 0; i < out.size(); ++i) {
      if (out[i] == 0) {
        if (i >= in[0].size()) shapeError("target dimension " + std::to_string(i) + " is 0 but the input has no such axis");
        out[i] = in[0][i];
      }
      if (out[i] == -1) {
        if (inferred >= 0) shapeError("target shape has more than one -1");
        inferred = static_cast<int64_t>(i);
      } else if (out[i] < 0) {
        shapeError("target shape has a negative dimension");
      } else {
        known *= out[i];
      }
    }
    const int64_t total = elementCount(in[0]);
    if (inferred >= 0) {
      if (known == 0 || total % known != 0) shapeError("cannot reshape " + shapeToString(in[0]) + " to " + shapeToString(shape_));
      out[inferred] = total / known;
    } else if (known != total) {
      shapeError("cannot reshape " + shapeToString(in[0]) + " (" + std::to_string(total) + " elements) to " + shapeToString(out));
    }
    return {out};
  }

  void run(const LayerRun& r) const override {
    if (r.outputs[0] == r.inputs[0]) return;
    const auto* x = static_cast<const char*>(r.inputs[0]);
    auto* y = static_cast<char*>(r.outputs[0]);
    const int64_t bytes = elementCount(*r.outputShapes[0]) * static_cast<int64_t>(dtypeSize(r.inputTypes[0]));
    parallelRange(*r.pool, bytes, 262144, [&](int64_t begin, int64_t end) { std::memcpy(y + begin, x + begin, end - begin); });
  }

 private:
  Shape shape_;
};

KILN_REGISTER_LAYER("Reshape", [](const LayerDesc& desc, const LayerBuildContext&) {
  return std::unique_ptr<Layer>(new ReshapeLayer(desc));
});

}  // namespace
}  // namespace kiln
