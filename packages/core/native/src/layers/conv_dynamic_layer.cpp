#include "engine/layer.h"
#include "kernels/conv2d.h"
#include "layers/conv_epilogue.h"

namespace kiln {
namespace {

// A 2-D convolution whose weights (or bias) are computed at run time, so nothing can be packed
// ahead: it runs the plain reference kernel. Attributes as for Conv.
class ConvDynamicLayer final : public Layer {
 public:
  explicit ConvDynamicLayer(const LayerDesc& desc) : Layer(desc), epilogue_(parseEpilogue(desc)) {
    Attrs attrs(desc);
    strides_ = attrs.getInts("strides", {1, 1});
    pads_ = attrs.getInts("pads", {0, 0, 0, 0});
    dilations_ = attrs.getInts("dilations", {1, 1});
    group_ = attrs.getInt("group", 1);
    if (strides_.size() != 2 || pads_.size() != 4 || dilations_.size() != 2) attrs.fail("pads", "must describe a 2-D convolution");
  }

  ConvGeometry geometry(const Shape& weights) const {
    if (weights.size() != 4) shapeError("only 2-D convolution is supported (weights " + shapeToString(weights) + ")");
    ConvGeometry g;
    g.groups = group_;
    g.cout = weights[0];
    g.cin = weights[1] * group_;
    g.kh = weights[2];
    g.kw = weights[3];
    g.strideH = strides_[0];
    g.strideW = strides_[1];
    g.padTop = pads_[0];
    g.padLeft = pads_[1];
    g.padBottom = pads_[2];
    g.padRight = pads_[3];
    g.dilationH = dilations_[0];
    g.dilationW = dilations_[1];
    return g;
  }

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
  std::vector<int64_t> strides_, pads_, dilations_;
  int64_t group_ = 1;
  Epilogue epilogue_;
};

KILN_REGISTER_LAYER("ConvDynamic", [](const LayerDesc& desc, const LayerBuildContext& ctx) {
  Layer::requireTypes(desc, ctx, {DType::Float32});
  return std::unique_ptr<Layer>(new ConvDynamicLayer(desc));
});

}  // namespace
}  // namespace kiln
