// KilnBottleneckBlocked: a MobileNet inverted residual block on blocked tensors (the bottleneck
// fusion pass): inputs x, [expansion weights, bias,] depthwise weights, bias, projection weights,
// bias[, residual]; attribute `expand` says whether the expansion is there, or `stem` that an image
// stem takes its place (the stem fusion pass: x is then the NCHW image, the stem's weights and bias
// inputs 1 and 2, its geometry in `stem_`-prefixed Conv attributes); the depthwise convolution's
// geometry in the Conv attributes; each stage's activation under `expand_` (or `stem_`),
// `depthwise_` and no prefix. Tactics, timed: the block row by row, or its convolutions one after
// another.
#include <string>

#include "engine/layer.h"
#include "kernels/blocked_bottleneck.h"
#include "layers/blocked_input.h"
#include "layers/conv_attrs.h"

namespace kiln {
namespace {

constexpr int64_t kBlock = blocked::kBlock;

class BottleneckBlockedLayer final : public Layer {
 public:
  BottleneckBlockedLayer(const LayerDesc& desc, const LayerBuildContext& ctx) : Layer(desc), isa_(ctx.isa) {
    expand_ = Attrs(desc).getInt("expand", 0) != 0;
    stem_ = Attrs(desc).getInt("stem", 0) != 0;
    if (expand_ && stem_) buildError("a block has an expansion or a stem, not both");
    const size_t weights = expand_ || stem_ ? 7 : 5;
    if (desc.inputs.size() != weights && desc.inputs.size() != weights + 1)
      buildError("expects " + std::to_string(weights) + " or " + std::to_string(weights + 1) + " inputs");
    residual_ = desc.inputs.size() == weights + 1;
    for (size_t i = 1; i < weights; ++i)
      if (!ctx.constantInputs[i]) buildError("the weights and biases must be constants");
    const size_t dw = expand_ || stem_ ? 3 : 1;
    const Shape& dwShape = ctx.constantInputs[dw]->shape;
    const Shape& projectShape = ctx.constantInputs[dw + 2]->shape;
    w_.depthwise = convGeometry(desc, dwShape);
    const int64_t mid = w_.depthwise.cout;
    if (w_.depthwise.groups != mid || w_.depthwise.cin != mid || w_.depthwise.dilationH != 1 || w_.depthwise.dilationW != 1 ||
        w_.depthwise.kh > blocked::kMaxDepthwiseRows)
      buildError("the middle convolution must be depthwise with dilation 1 and at most " + std::to_string(blocked::kMaxDepthwiseRows) +
           " rows, weights " + shapeToString(dwShape));
    if (projectShape.size() != 4 || projectShape[1] != mid || projectShape[2] != 1 || projectShape[3] != 1)
      buildError("the projection must be 1x1 over " + std::to_string(mid) + " channels, weights " + shapeToString(projectShape));
    w_.cout = projectShape[0];
    w_.cin = mid;
    if (expand_) {
      const Shape& e = ctx.constantInputs[1]->shape;
      if (e.size() != 4 || e[0] != mid || e[2] != 1 || e[3] != 1)
        buildError("the expansion must be 1x1 into " + std::to_string(mid) + " channels, weights " + shapeToString(e));
      w_.cin = e[1];
      w_.expandEpilogue = parseEpilogue(desc, "expand_");
    }
    if (stem_) {
      const ConvGeometry& g = w_.stemGeometry = convGeometry(desc, ctx.constantInputs[1]->shape, "stem_");
      if (g.groups != 1 || g.cout != mid || g.cin * g.kh * g.kw > blocked::kMaxDirectK)
        buildError("the stem needs one group into " + std::to_string(mid) + " channels and at most " +
                   std::to_string(blocked::kMaxDirectK) + " taps over its input channels");
      w_.cin = g.cin;
      w_.stemEpilogue = parseEpilogue(desc, "stem_");
    }
    const auto checkBias = [&](size_t input, int64_t channels, const char* stage) {
      if (elementCount(ctx.constantInputs[input]->shape) != channels) buildError(std::string("the ") + stage + " bias has the wrong size");
    };
    if (expand_ || stem_) checkBias(2, mid, stem_ ? "stem" : "expansion");
    checkBias(dw + 1, mid, "depthwise");
    checkBias(dw + 3, w_.cout, "projection");
    w_.depthwiseEpilogue = parseEpilogue(desc, "depthwise_");
    w_.projectEpilogue = parseEpilogue(desc);
    for (size_t i = 1; i < weights; ++i) constants_.push_back(ctx.constantInputs[i]->bytes);
    setTactic(0);
  }

  std::vector<Shape> inferShapes(const std::vector<Shape>& in) const override {
    const Shape& x = in[0];
    if (const std::string why = blockedInputMismatch(x, w_.cin, stem_); !why.empty()) shapeError(why);
    const int64_t mh = stem_ ? w_.stemGeometry.outH(x[2]) : x[2], mw = stem_ ? w_.stemGeometry.outW(x[3]) : x[3];
    const int64_t oh = mh > 0 ? w_.depthwise.outH(mh) : 0, ow = mw > 0 ? w_.depthwise.outW(mw) : 0;
    if (oh <= 0 || ow <= 0) shapeError("a kernel is larger than its padded input (" + shapeToString(x) + ")");
    Shape y{x[0], blocked::blocks(w_.cout), oh, ow, kBlock};
    if (residual_ && in.back() != y) shapeError("the residual input must be shaped like the output " + shapeToString(y));
    return {y};
  }

  int tacticCount() const override { return 2; }
  std::string tacticName(int t) const override { return t == 0 ? "nchw16c-bottleneck-rows" : "nchw16c-bottleneck-layers"; }
  int tactic() const override { return tactic_; }
  void setTactic(int t) override {
    blocked::BottleneckWeights w = w_;
    const auto floats = [&](size_t i) { return reinterpret_cast<const float*>(constants_.at(i)->data()); };
    size_t next = 0;
    if (expand_) w.expand = floats(next++), w.expandBias = floats(next++);
    if (stem_) w.stem = floats(next++), w.stemBias = floats(next++);
    w.depthwiseWeights = floats(next++), w.depthwiseBias = floats(next++);
    w.project = floats(next++), w.projectBias = floats(next++);
    kernel_ = std::make_unique<blocked::BottleneckBlocked>(isa_, w, t == 0);
    tactic_ = t;
  }

  size_t workspaceBytes(const std::vector<Shape>& in, int threads) const override {
    return kernel_->workspaceBytes(in[0][0], in[0][2], in[0][3], threads);
  }

  void run(const LayerRun& r) const override {
    const Shape& x = *r.inputShapes[0];
    kernel_->run(r.in(0), x[0], x[2], x[3], residual_ ? r.in(r.inputs.size() - 1) : nullptr, r.out(0), r.workspace, *r.pool);
  }

 private:
  Isa isa_;
  bool expand_ = false, stem_ = false, residual_ = false;
  blocked::BottleneckWeights w_;  // geometry and epilogues; the weight pointers set per tactic
  std::vector<std::shared_ptr<std::vector<uint8_t>>> constants_;
  int tactic_ = 0;
  std::unique_ptr<blocked::BottleneckBlocked> kernel_;
};

KILN_REGISTER_LAYER("KilnBottleneckBlocked", [](const LayerDesc& desc, const LayerBuildContext& ctx) {
  Layer::requireTypes(desc, ctx, {DType::Float32});
  return std::unique_ptr<Layer>(new BottleneckBlockedLayer(desc, ctx));
});

}  // namespace
}  // namespace kiln
