// The channel-blocked (NCHW16c) layers the layout pass puts in runs of convolutions: a blocked
// tensor is 5-D, [N, ceil(C / 16), H, W, 16], so shapes, the memory plan and the tensor views need
// to know nothing of layouts; only these layers (and KilnMaxPoolBlocked) read or write one.
#include <string>

#include "engine/layer.h"
#include "kernels/blocked_conv.h"
#include "kernels/depthwise_conv2d.h"
#include "layers/blocked_input.h"
#include "layers/conv_attrs.h"

namespace kiln {
namespace {

constexpr int64_t kBlock = blocked::kBlock;

// [N, C, H, W] to [N, ceil(C / 16), H, W, 16].
class ToBlockedLayer final : public Layer {
 public:
  ToBlockedLayer(const LayerDesc& desc, Isa isa) : Layer(desc), isa_(isa) {}
  std::vector<Shape> inferShapes(const std::vector<Shape>& in) const override {
    expectInputs(in, 1);
    if (in[0].size() != 4) shapeError("expects a 4-D NCHW input, got " + shapeToString(in[0]));
    return {{in[0][0], blocked::blocks(in[0][1]), in[0][2], in[0][3], kBlock}};
  }
  void run(const LayerRun& r) const override {
    const Shape& x = *r.inputShapes[0];
    blocked::toBlocked(isa_, r.in(0), x[0], x[1], x[2] * x[3], r.out(0), *r.pool);
  }

 private:
  Isa isa_;
};

// [N, ceil(C / 16), H, W, 16] to [N, C, H, W], C the `channels` attribute.
class FromBlockedLayer final : public Layer {
 public:
  FromBlockedLayer(const LayerDesc& desc, Isa isa) : Layer(desc), isa_(isa), channels_(Attrs(desc).getInt("channels", 0)) {
    if (channels_ <= 0) Attrs(desc).fail("channels", "must be positive");
  }
  std::vector<Shape> inferShapes(const std::vector<Shape>& in) const override {
    expectInputs(in, 1);
    const Shape& x = in[0];
    if (const std::string why = blockedInputMismatch(x, channels_, false); !why.empty()) shapeError(why);
    return {{x[0], channels_, x[2], x[3]}};
  }
  void run(const LayerRun& r) const override {
    const Shape& x = *r.inputShapes[0];
    blocked::fromBlocked(isa_, r.in(0), x[0], channels_, x[2] * x[3], r.out(0), *r.pool);
  }

 private:
  Isa isa_;
  int64_t channels_;
};

// A Conv's attributes and constant weights and bias (inputs 1, 2), on blocked tensors, with an
// optional blocked residual (input 3) for one-group convolutions. Its tactics, timed: a depthwise
// convolution (one filter per channel, dilation 1, no residual) has the depthwise kernel; a
// one-group one the window kernel in tall tiles, and on AVX-512 above 32 output channels in wide
// ones, plus the 1x1 kernel for a 1x1 window and Winograd for 3x3 stride 1. With `nchw_input`
// set, a one-group convolution of few input taps (an image stem) reads an NCHW input.
class ConvBlockedLayer final : public Layer {
 public:
  enum class Kind { Stem, Pointwise, Depthwise, Winograd, Window, WindowWide };

  ConvBlockedLayer(const LayerDesc& desc, const LayerBuildContext& ctx) : Layer(desc), isa_(ctx.isa) {
    if (desc.inputs.size() < 3 || !ctx.constantInputs[1] || !ctx.constantInputs[2])
      buildError("the weights and bias must be constants");
    const ConstantDesc& w = *ctx.constantInputs[1];
    g_ = convGeometry(desc, w.shape);
    if (elementCount(ctx.constantInputs[2]->shape) != g_.cout)
      buildError("the bias has the wrong size");
    weights_ = w.bytes;
    bias_ = ctx.constantInputs[2]->bytes;
    residual_ = desc.inputs.size() > 3;
    epilogue_ = parseEpilogue(desc);
    const bool depthwise = isDepthwise(g_) && g_.dilationH == 1 && g_.dilationW == 1;
    nchwInput_ = Attrs(desc).getInt("nchw_input", 0) != 0;
    if (nchwInput_) {
      if (residual_ || g_.groups != 1 || g_.cin * g_.kh * g_.kw > blocked::kMaxDirectK)
        buildError("an NCHW input needs one group, at most " + std::to_string(blocked::kMaxDirectK) +
                   " taps over the channels and no residual");
      kinds_ = {Kind::Stem};
    } else if (depthwise && !residual_) {
      kinds_ = {Kind::Depthwise};
    } else if (g_.groups == 1) {
      const bool winograd = g_.kh == 3 && g_.kw == 3 && g_.strideH == 1 && g_.strideW == 1 && g_.dilationH == 1 && g_.dilationW == 1;
      if (isPointwiseWindow(g_)) kinds_.push_back(Kind::Pointwise);
      if (winograd) kinds_.push_back(Kind::Winograd);
      kinds_.push_back(Kind::Window);
      if (g_.cout > 2 * kBlock && blocked::WindowBlocked::hasWideTiles(isa_)) kinds_.push_back(Kind::WindowWide);
    } else {
      buildError("grouped convolutions other than depthwise ones (without a residual) do not run blocked");
    }
    setTactic(0);
  }

  std::vector<Shape> inferShapes(const std::vector<Shape>& in) const override {
    const Shape& x = in[0];
    if (const std::string why = blockedInputMismatch(x, g_.cin, nchwInput_); !why.empty()) shapeError(why);
    const int64_t oh = g_.outH(x[2]), ow = g_.outW(x[3]);
    if (oh <= 0 || ow <= 0) shapeError("the kernel is larger than the padded input " + shapeToString(x));
    Shape y{x[0], blocked::blocks(g_.cout), oh, ow, kBlock};
    if (residual_ && in[3] != y) shapeError("the residual input must be shaped like the output " + shapeToString(y));
    return {y};
  }

  int tacticCount() const override { return static_cast<int>(kinds_.size()); }
  std::string tacticName(int t) const override {
    static const char* names[] = {"nchw16c-direct", "nchw16c-pointwise", "nchw16c-depthwise", "nchw16c-winograd", "nchw16c-window",
                                  "nchw16c-window-wide"};
    return names[static_cast<int>(kinds_.at(t))];
  }
  int tactic() const override { return tactic_; }
  void setTactic(int t) override {
    const auto* weights = reinterpret_cast<const float*>(weights_->data());
    const auto* bias = reinterpret_cast<const float*>(bias_->data());
    direct_.reset(), pointwise_.reset(), depthwise_.reset(), winograd_.reset(), window_.reset();
    switch (kinds_.at(t)) {
      case Kind::Stem: direct_ = std::make_unique<blocked::DirectBlocked>(isa_, g_, weights, bias, epilogue_); break;
      case Kind::Pointwise:
        pointwise_ = std::make_unique<blocked::PointwiseBlocked>(isa_, g_.cin, g_.cout, weights, bias, epilogue_);
        break;
      case Kind::Depthwise: depthwise_ = std::make_unique<blocked::DepthwiseBlocked>(isa_, g_, weights, bias, epilogue_); break;
      case Kind::Winograd: winograd_ = std::make_unique<blocked::WinogradBlocked>(isa_, g_, weights, bias, epilogue_); break;
      case Kind::Window: window_ = std::make_unique<blocked::WindowBlocked>(isa_, g_, weights, bias, epilogue_); break;
      case Kind::WindowWide:
        window_ = std::make_unique<blocked::WindowBlocked>(isa_, g_, weights, bias, epilogue_, true);
        break;
    }
    tactic_ = t;
  }

  size_t workspaceBytes(const std::vector<Shape>& in, int threads) const override {
    if (winograd_) return winograd_->workspaceBytes(in[0][0], in[0][2], in[0][3], threads);
    if (direct_) return direct_->workspaceBytes(threads);
    return window_ ? window_->workspaceBytes(threads) : 0;
  }

  void run(const LayerRun& r) const override {
    const Shape& x = *r.inputShapes[0];
    const float* residual = residual_ ? r.in(3) : nullptr;
    if (direct_) direct_->run(r.in(0), x[0], x[2], x[3], r.out(0), r.workspace, *r.pool);
    else if (pointwise_) pointwise_->run(r.in(0), x[0], x[2] * x[3], residual, r.out(0), *r.pool);
    else if (depthwise_) depthwise_->run(r.in(0), x[0], x[2], x[3], r.out(0), *r.pool);
    else if (winograd_) winograd_->run(r.in(0), x[0], x[2], x[3], residual, r.out(0), r.workspace, *r.pool);
    else window_->run(r.in(0), x[0], x[2], x[3], residual, r.out(0), r.workspace, *r.pool);
  }

 private:
  Isa isa_;
  ConvGeometry g_;
  Epilogue epilogue_;
  std::shared_ptr<std::vector<uint8_t>> weights_, bias_;
  bool residual_ = false, nchwInput_ = false;
  std::vector<Kind> kinds_;
  int tactic_ = 0;
  std::unique_ptr<blocked::DirectBlocked> direct_;
  std::unique_ptr<blocked::PointwiseBlocked> pointwise_;
  std::unique_ptr<blocked::DepthwiseBlocked> depthwise_;
  std::unique_ptr<blocked::WinogradBlocked> winograd_;
  std::unique_ptr<blocked::WindowBlocked> window_;
};

KILN_REGISTER_LAYER("KilnToBlocked", [](const LayerDesc& desc, const LayerBuildContext& ctx) {
  Layer::requireTypes(desc, ctx, {DType::Float32});
  return std::unique_ptr<Layer>(new ToBlockedLayer(desc, ctx.isa));
});
KILN_REGISTER_LAYER("KilnFromBlocked", [](const LayerDesc& desc, const LayerBuildContext& ctx) {
  Layer::requireTypes(desc, ctx, {DType::Float32});
  return std::unique_ptr<Layer>(new FromBlockedLayer(desc, ctx.isa));
});
KILN_REGISTER_LAYER("KilnConvBlocked", [](const LayerDesc& desc, const LayerBuildContext& ctx) {
  Layer::requireTypes(desc, ctx, {DType::Float32});
  return std::unique_ptr<Layer>(new ConvBlockedLayer(desc, ctx));
});

}  // namespace
}  // namespace kiln
