// KilnStemBlocked: an image stem and the one-group convolution that reads it, on a blocked output
// (the stem fusion pass): inputs x (NCHW), the stem's weights and bias, the convolution's weights
// and bias[, a blocked residual]; the stem's geometry and activation in `stem_`-prefixed Conv
// attributes, the convolution's unprefixed. Tactics, timed: row by row or one after the other, the
// convolution in tall tiles or (AVX-512, above 32 output channels) wide ones.
#include <string>

#include "engine/layer.h"
#include "kernels/blocked_stem.h"
#include "layers/blocked_input.h"
#include "layers/conv_attrs.h"

namespace kiln {
namespace {

constexpr int64_t kBlock = blocked::kBlock;

class StemBlockedLayer final : public Layer {
 public:
  StemBlockedLayer(const LayerDesc& desc, const LayerBuildContext& ctx) : Layer(desc), isa_(ctx.isa) {
    if (desc.inputs.size() != 5 && desc.inputs.size() != 6) buildError("expects 5 or 6 inputs");
    residual_ = desc.inputs.size() == 6;
    for (size_t i = 1; i < 5; ++i) {
      if (!ctx.constantInputs[i]) buildError("the weights and biases must be constants");
      constants_.push_back(ctx.constantInputs[i]->bytes);
    }
    stem_ = convGeometry(desc, ctx.constantInputs[1]->shape, "stem_");
    conv_ = convGeometry(desc, ctx.constantInputs[3]->shape);
    if (stem_.groups != 1 || stem_.cin * stem_.kh * stem_.kw > blocked::kMaxDirectK)
      buildError("the stem needs one group and at most " + std::to_string(blocked::kMaxDirectK) + " taps over its input channels");
    if (conv_.groups != 1 || conv_.cin != stem_.cout)
      buildError("the convolution needs one group over the stem's " + std::to_string(stem_.cout) + " channels, weights " +
           shapeToString(ctx.constantInputs[3]->shape));
    if (elementCount(ctx.constantInputs[2]->shape) != stem_.cout || elementCount(ctx.constantInputs[4]->shape) != conv_.cout)
      buildError("a bias has the wrong size");
    stemEpilogue_ = parseEpilogue(desc, "stem_");
    convEpilogue_ = parseEpilogue(desc);
    wideTiles_ = conv_.cout > 2 * kBlock && blocked::WindowBlocked::hasWideTiles(isa_);
    setTactic(0);
  }

  std::vector<Shape> inferShapes(const std::vector<Shape>& in) const override {
    const Shape& x = in[0];
    if (const std::string why = blockedInputMismatch(x, stem_.cin, true); !why.empty()) shapeError(why);
    const int64_t h1 = stem_.outH(x[2]), w1 = stem_.outW(x[3]);
    if (h1 <= 0 || w1 <= 0 || conv_.outH(h1) <= 0 || conv_.outW(w1) <= 0)
      shapeError("a kernel is larger than its padded input (" + shapeToString(x) + ")");
    Shape y{x[0], blocked::blocks(conv_.cout), conv_.outH(h1), conv_.outW(w1), kBlock};
    if (residual_ && in[5] != y) shapeError("the residual input must be shaped like the output " + shapeToString(y));
    return {y};
  }

  // Tactic t: bit 0 one after the other (else row by row), bit 1 wide tiles.
  int tacticCount() const override { return wideTiles_ ? 4 : 2; }
  std::string tacticName(int t) const override {
    return std::string(t & 1 ? "nchw16c-stem-layers" : "nchw16c-stem-rows") + (t & 2 ? "-wide" : "");
  }
  int tactic() const override { return tactic_; }
  void setTactic(int t) override {
    const auto floats = [&](size_t i) { return reinterpret_cast<const float*>(constants_.at(i)->data()); };
    kernel_ = std::make_unique<blocked::StemConvBlocked>(isa_, stem_, floats(0), floats(1), stemEpilogue_, conv_, floats(2),
                                                         floats(3), convEpilogue_, (t & 2) != 0, (t & 1) == 0);
    tactic_ = t;
  }

  size_t workspaceBytes(const std::vector<Shape>& in, int threads) const override {
    return kernel_->workspaceBytes(in[0][0], in[0][2], in[0][3], threads);
  }

  void run(const LayerRun& r) const override {
    const Shape& x = *r.inputShapes[0];
    kernel_->run(r.in(0), x[0], x[2], x[3], residual_ ? r.in(5) : nullptr, r.out(0), r.workspace, *r.pool);
  }

 private:
  Isa isa_;
  ConvGeometry stem_, conv_;
  Epilogue stemEpilogue_, convEpilogue_;
  bool residual_ = false, wideTiles_ = false;
  std::vector<std::shared_ptr<std::vector<uint8_t>>> constants_;
  int tactic_ = 0;
  std::unique_ptr<blocked::StemConvBlocked> kernel_;
};

KILN_REGISTER_LAYER("KilnStemBlocked", [](const LayerDesc& desc, const LayerBuildContext& ctx) {
  Layer::requireTypes(desc, ctx, {DType::Float32});
  return std::unique_ptr<Layer>(new StemBlockedLayer(desc, ctx));
});

}  // namespace
}  // namespace kiln
