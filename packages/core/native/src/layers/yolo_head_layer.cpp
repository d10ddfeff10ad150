#include <memory>
#include <vector>

#include "engine/layer.h"
#include "kernels/yolo_head.h"
#include "layers/blocked_input.h"

namespace kiln {
namespace {

// YoloDecode with its 1x1 convolution fused in (the yolo-head fusion pass): x [N, cin, H, W] (with
// `blocked_input`, channel-blocked [N, ceil(cin / 16), H, W, 16]) → y [N, A·H·W, K]. Inputs 1 and
// 2 are the grid and anchor constants (as YoloDecode's), 3 the constant weights [A·K, cin, 1, 1],
// 4 the constant bias [A·K].
class YoloHeadLayer final : public Layer {
 public:
  YoloHeadLayer(const LayerDesc& desc, const LayerBuildContext& ctx) : Layer(desc) {
    Attrs attrs(desc);
    anchors_ = attrs.getInt("anchors");
    outputs_ = attrs.getInt("outputs");
    stride_ = attrs.getFloat("stride");
    blockedInput_ = attrs.getInt("blocked_input", 0) != 0;
    if (desc.inputs.size() != 5) throw Error("KILN_BUILD", "layer '" + desc.name + "' (YoloHead): expects 5 inputs");
    for (size_t i = 1; i < 5; ++i)
      if (!ctx.constantInputs[i]) throw Error("KILN_BUILD", "layer '" + desc.name + "' (YoloHead): the grid, anchors, weights and bias must be constants");
    if (anchors_ < 1 || outputs_ < 5) attrs.fail("outputs", "must describe at least one anchor of at least 5 values");
    grid_ = ctx.constantInputs[1];
    anchorGrid_ = ctx.constantInputs[2];
    const ConstantDesc* weights = ctx.constantInputs[3];
    const ConstantDesc* bias = ctx.constantInputs[4];
    const Shape& ws = weights->shape;
    if (ws.size() != 4 || ws[0] != anchors_ * outputs_ || ws[1] < 1 || ws[2] != 1 || ws[3] != 1 || elementCount(bias->shape) != ws[0])
      throw Error("KILN_BUILD", "layer '" + desc.name + "' (YoloHead): expects 1x1 weights [" + std::to_string(anchors_ * outputs_) +
                                    ", cin, 1, 1] and as many biases, got " + shapeToString(ws));
    cin_ = ws[1];
    head_ = std::make_unique<YoloHead>(ctx.isa, cin_, anchors_, outputs_, weights->floats(), bias->floats(), blockedInput_);
  }

  std::vector<Shape> inferShapes(const std::vector<Shape>& in) const override {
    const Shape& x = in[0];
    if (const std::string why = blockedInputMismatch(x, cin_, !blockedInput_); !why.empty()) shapeError(why);
    const int64_t cells = anchors_ * x[2] * x[3];
    if (elementCount(grid_->shape) != cells * 2 || elementCount(anchorGrid_->shape) != cells * 2)
      shapeError("the grid was built for another feature-map size than " + shapeToString(x));
    return {{x[0], cells, outputs_}};
  }

  size_t workspaceBytes(const std::vector<Shape>&, int threads) const override { return head_->workspaceBytes(threads); }

  void run(const LayerRun& r) const override {
    const Shape& x = *r.inputShapes[0];
    head_->run(r.in(0), x[0], x[2], x[3], grid_->floats(), anchorGrid_->floats(), stride_, r.out(0), r.workspace, *r.pool);
  }

 private:
  int64_t anchors_, outputs_, cin_ = 0;
  bool blockedInput_ = false;
  float stride_;
  const ConstantDesc* grid_;
  const ConstantDesc* anchorGrid_;
  std::unique_ptr<YoloHead> head_;
};

KILN_REGISTER_LAYER("YoloHead", [](const LayerDesc& desc, const LayerBuildContext& ctx) {
  Layer::requireTypes(desc, ctx, {DType::Float32});
  return std::unique_ptr<Layer>(new YoloHeadLayer(desc, ctx));
});

}  // namespace
}  // namespace kiln
