#include "engine/layer.h"
#include "kernels/qconv2d.h"
#include "layers/conv_attrs.h"
#include "layers/quant_attrs.h"

namespace kiln {
namespace {

// An INT8 convolution: u8 input (x_scale, x_zero_point), float32 weights and bias constants that
// the kernel quantizes per output channel at build, the fused activation, an optional u8
// residual (input 3, added after the activation), and a u8 output (y_scale, y_zero_point) or a
// float32 one.
class QConvLayer final : public Layer {
 public:
  QConvLayer(const LayerDesc& desc, const LayerBuildContext& ctx) : Layer(desc) {
    Attrs attrs(desc);
    if (desc.inputs.size() < 3 || !ctx.constantInputs[1] || !ctx.constantInputs[2])
      throw Error("KILN_BUILD", "layer '" + desc.name + "' (QConv): the weights and bias must be constants");
    const ConstantDesc& w = *ctx.constantInputs[1];
    g_ = convGeometry(desc, w.shape);
    if (g_.groups != 1) attrs.fail("group", "INT8 convolution takes group 1 only");
    if (elementCount(ctx.constantInputs[2]->shape) != g_.cout) attrs.fail("bias", "has the wrong size");
    const QuantParams input = params(attrs, "x");
    QConvOutput output;
    output.isFloat = ctx.outputTypes.at(0) == DType::Float32;
    if (!output.isFloat) output.quant = params(attrs, "y");
    QResidual residual;
    residual.present = desc.inputs.size() > 3;
    if (residual.present) residual.quant = params(attrs, "r");
    path_ = int8PathFor(ctx.isa);
    kernel_ = QConv2dKernel::create(path_, g_, w.floats(), ctx.constantInputs[2]->floats(), parseEpilogue(desc), input,
                                    output, residual);
  }

  std::vector<Shape> inferShapes(const std::vector<Shape>& in) const override {
    return {convOutputShape(desc_, g_, in, desc_.inputs.size() > 3)};
  }

  std::string tacticName(int) const override { return std::string("int8-") + int8PathName(path_); }

  size_t workspaceBytes(const std::vector<Shape>& in, int threads) const override {
    return kernel_->workspaceBytes(in[0][0], in[0][2], in[0][3], threads);
  }

  void run(const LayerRun& r) const override {
    const Shape& x = *r.inputShapes[0];
    const uint8_t* residual = r.inputs.size() > 3 ? r.in<uint8_t>(3) : nullptr;
    kernel_->run(r.in<uint8_t>(0), x[0], x[2], x[3], r.outputs[0], residual, r.workspace, *r.pool);
  }

 private:
  static QuantParams params(const Attrs& attrs, const std::string& prefix) {
    return readQuantParams(attrs, prefix + "_scale", prefix + "_zero_point", 0, 255);
  }

  ConvGeometry g_;
  Int8Path path_ = Int8Path::Scalar;
  std::unique_ptr<QConv2dKernel> kernel_;
};

KILN_REGISTER_LAYER("QConv", [](const LayerDesc& desc, const LayerBuildContext& ctx) {
  if (ctx.inputTypes.at(0) != DType::Uint8 || (ctx.inputTypes.size() > 3 && ctx.inputTypes[3] != DType::Uint8))
    throw Error("KILN_BUILD", "layer '" + desc.name + "' (QConv): the input and residual must be uint8");
  if (ctx.outputTypes.at(0) != DType::Uint8 && ctx.outputTypes.at(0) != DType::Float32)
    throw Error("KILN_BUILD", "layer '" + desc.name + "' (QConv): the output must be uint8 or float32");
  return std::unique_ptr<Layer>(new QConvLayer(desc, ctx));
});

}  // namespace
}  // namespace kiln
