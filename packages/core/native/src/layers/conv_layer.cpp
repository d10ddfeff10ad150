#include "engine/layer.h"
#include "kernels/activation_apply.h"
#include "kernels/conv2d.h"
#include "kernels/depthwise_conv2d.h"
#include "layers/conv_attrs.h"

namespace kiln {
namespace {

// A 2-D convolution whose weights (input 1) and optional bias (input 2) are constants, packed at
// build for the chosen algorithm, with bias and activation fused into the kernel's epilogue. An
// optional input 3 (set by the residual-Add fusion pass, with input 2 then present) is a tensor
// shaped like the output, added after the activation: y = act(conv(x) + bias) + residual.
class ConvLayer final : public Layer {
 public:
  ConvLayer(const LayerDesc& desc, const LayerBuildContext& ctx) : Layer(desc), isa_(ctx.isa), epilogue_(parseEpilogue(desc)) {
    Attrs attrs(desc);
    if (desc.inputs.size() < 2 || !ctx.constantInputs[1])
      throw Error("KILN_BUILD", "layer '" + desc.name + "' (Conv): the weights must be a constant");
    const ConstantDesc& w = *ctx.constantInputs[1];
    if (w.shape.size() != 4) attrs.fail("kernel_shape", "only 2-D convolution is supported (weights " + shapeToString(w.shape) + ")");
    g_ = convGeometry(desc, w.shape);
    if (g_.groups <= 0 || g_.cout % g_.groups != 0) attrs.fail("group", "does not divide the output channels");
    weights_ = w.bytes;
    if (desc.inputs.size() > 2 && !desc.inputs[2].empty()) {
      if (!ctx.constantInputs[2]) throw Error("KILN_BUILD", "layer '" + desc.name + "' (Conv): the bias must be a constant");
      if (elementCount(ctx.constantInputs[2]->shape) != g_.cout)
        throw Error("KILN_BUILD", "layer '" + desc.name + "' (Conv): the bias has the wrong size");
      bias_ = ctx.constantInputs[2]->bytes;
    }
    if (desc.inputs.size() > 4) throw Error("KILN_BUILD", "layer '" + desc.name + "' (Conv): at most 4 inputs");
    if (desc.inputs.size() == 4 && (desc.inputs[2].empty() || desc.inputs[3].empty()))
      throw Error("KILN_BUILD", "layer '" + desc.name + "' (Conv): a residual input needs the bias input");
    residual_ = desc.inputs.size() == 4;
    algos_ = convAlgorithms(g_, isa_);
    depthwise_ = isDepthwise(g_);
    setTactic(0);
  }

  std::vector<Shape> inferShapes(const std::vector<Shape>& in) const override {
    return {convOutputShape(desc_, g_, in, residual_)};
  }

  // Tactics: the direct depthwise kernel first where it applies, then the GEMM algorithms.
  int tacticCount() const override { return static_cast<int>(algos_.size()) + (depthwise_ ? 1 : 0); }
  std::string tacticName(int t) const override {
    if (depthwise_ && t == 0) return "depthwise-direct";
    return convAlgoName(algos_.at(t - (depthwise_ ? 1 : 0)));
  }
  int tactic() const override { return tactic_; }
  void setTactic(int t) override {
    const auto* weights = reinterpret_cast<const float*>(weights_->data());
    const auto* bias = bias_ ? reinterpret_cast<const float*>(bias_->data()) : nullptr;
    kernel_.reset();
    depthwiseKernel_.reset();
    if (depthwise_ && t == 0) depthwiseKernel_ = std::make_unique<DepthwiseConv2d>(isa_, g_, weights, bias, depthwiseEpilogue());
    else kernel_ = Conv2dKernel::create(algos_.at(t - (depthwise_ ? 1 : 0)), isa_, g_, weights, bias, epilogue_);
    tactic_ = t;
  }

  size_t workspaceBytes(const std::vector<Shape>& in, int threads) const override {
    if (depthwiseKernel_) return depthwiseKernel_->workspaceBytes(in[0][2], in[0][3], threads);
    return kernel_->workspaceBytes(in[0][0], in[0][2], in[0][3], threads);
  }

  void run(const LayerRun& r) const override {
    const Shape& x = *r.inputShapes[0];
    const float* residual = residual_ ? r.in(3) : nullptr;
    if (depthwiseKernel_) {
      depthwiseKernel_->run(r.in(0), x[0], x[2], x[3], r.out(0), r.workspace, *r.pool);
      const int64_t n = elementCount(*r.outputShapes[0]);
      if (residual) addResidual(residual, n, r.out(0));
      if (residual && epilogue_.afterResidual) applyActivation(isa_, r.out(0), n, epilogue_);
    } else {
      kernel_->run(r.in(0), x[0], x[2], x[3], residual, r.out(0), r.workspace, *r.pool);
    }
  }

  // The depthwise kernel has no residual epilogue: a separate pass (no model fuses one there), and
  // an activation after the residual a pass after that.
  Epilogue depthwiseEpilogue() const { return residual_ && epilogue_.afterResidual ? Epilogue{} : epilogue_; }
  static void addResidual(const float* residual, int64_t n, float* y) {
    for (int64_t i = 0; i < n; ++i) y[i] += residual[i];
  }

 private:
  Isa isa_;
  ConvGeometry g_;
  Epilogue epilogue_;
  std::shared_ptr<std::vector<uint8_t>> weights_, bias_;
  std::vector<ConvAlgo> algos_;
  std::unique_ptr<Conv2dKernel> kernel_;
  std::unique_ptr<DepthwiseConv2d> depthwiseKernel_;
  bool depthwise_ = false;
  bool residual_ = false;
  int tactic_ = 0;
};

KILN_REGISTER_LAYER("Conv", [](const LayerDesc& desc, const LayerBuildContext& ctx) {
  Layer::requireTypes(desc, ctx, {DType::Float32});
  return std::unique_ptr<Layer>(new ConvLayer(desc, ctx));
});

}  // namespace
}  // namespace kiln
