#include "engine/layer.h"
#include "kernels/conv2d.h"
#include "layers/conv_attrs.h"

namespace kiln {
namespace {

// A 2-D convolution whose weights (or bias) are computed at run time, so nothing can be packed
// ahead: it runs the plain reference kernel. Attributes as for Conv.
class ConvDynamicLayer final : public Layer {
 public:
  explicit ConvDynamicLayer(const LayerDesc& desc) : Layer(desc), epilogue_(parseEpilogue(desc)) {}

  ConvGeometry geometry(const Shape& weights) const { return convGeometry(desc_, weights); }

  std::vector<Shape> inferShapes(const std::vector<Shape>& in) const override {
    const ConvGeometry g = geometry(in.at(1));
    const Shape& x = in[0];
    if (x.size() != 4 || x[1] != g.cin) shapeError("expects " + std::to_string(g.cin) + " input channels, got " + shapeToString(x));
    if (g.groups <= 0 || g.cout % g.groups != 0) shapeError("group does not divide the output channels");
    if (in.size() > 2 && elementCount(in[2]) != g.cout) shapeError("the bias needs one value per output channel");
    const int64_t oh = g.outH(x[2]), ow = g.outW(x[3]);
    if (oh <= 0 || ow <= 0) shapeError("the kernel is larger than the padded input " + shapeToString(x));
    return {{x[0], g.cout, oh, ow}};
  }

  void run(const LayerRun& r) const override {
    const Shape& x = *r.inputShapes[0];
    conv2dReference(geometry(*r.inputShapes[1]), r.in(0), x[0], x[2], x[3], r.in(1), r.inputs.size() > 2 ? r.in(2) : nullptr, epilogue_,
                    r.out(0));
  }

 private:
  Epilogue epilogue_;
};

KILN_REGISTER_LAYER("ConvDynamic", [](const LayerDesc& desc, const LayerBuildContext& ctx) {
  Layer::requireTypes(desc, ctx, {DType::Float32});
  return std::unique_ptr<Layer>(new ConvDynamicLayer(desc));
});

}  // namespace
}  // namespace kiln
