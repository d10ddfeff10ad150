#include "engine/broadcast.h"
#include "engine/layer.h"
#include "layers/strided_copy.h"

namespace kiln {
namespace {

// Expand to the broadcast of the input's shape and the build-time target `shape`.
class ExpandLayer final : public Layer {
 public:
  ExpandLayer(const LayerDesc& desc) : Layer(desc), shape_(Attrs(desc).getInts("shape")) {}

  std::vector<Shape> inferShapes(const std::vector<Shape>& in) const override {
    expectInputs(in, 1);
    Shape out;
    if (!broadcastShapes(in[0], shape_, &out)) shapeError("cannot expand " + shapeToString(in[0]) + " to " + shapeToString(shape_));
    return {out};
  }

  void run(const LayerRun& r) const override {
    const Shape& out = *r.outputShapes[0];
    gatherStrided(r.inputs[0], broadcastStrides(*r.inputShapes[0], out), out, r.outputs[0], dtypeSize(r.inputTypes[0]), *r.pool);
  }

 private:
  Shape shape_;
};

KILN_REGISTER_LAYER("Expand", [](const LayerDesc& desc, const LayerBuildContext&) {
  return std::unique_ptr<Layer>(new ExpandLayer(desc));
});

}  // namespace
}  // namespace kiln
