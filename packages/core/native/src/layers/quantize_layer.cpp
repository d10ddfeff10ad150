#include "engine/layer.h"
#include "kernels/quantize.h"
#include "layers/parallel.h"
#include "layers/quant_attrs.h"

namespace kiln {
namespace {

// The scale and zero point of a per-tensor (de)quantization to or from `type` (u8 or s8).
QuantParams quantParams(const LayerDesc& desc, DType type) {
  return type == DType::Uint8 ? readQuantParams(Attrs(desc), "scale", "zero_point", 0, 255)
                              : readQuantParams(Attrs(desc), "scale", "zero_point", -128, 127);
}

// float32 → u8 or s8 with one scale and zero point for the whole tensor (per-tensor
// QuantizeLinear); the boundary into an INT8 region.
class QuantizeLayer final : public Layer {
 public:
  QuantizeLayer(const LayerDesc& desc, Isa isa, DType to) : Layer(desc), isa_(isa), q_(quantParams(desc, to)), to_(to) {}
  std::vector<Shape> inferShapes(const std::vector<Shape>& in) const override {
    expectInputs(in, 1);
    return {in[0]};
  }
  void run(const LayerRun& r) const override {
    parallelRange(*r.pool, elementCount(*r.inputShapes[0]), 16384, [&](int64_t begin, int64_t end) {
      if (to_ == DType::Uint8) quantizeToU8(isa_, r.in(0) + begin, end - begin, q_, r.out<uint8_t>(0) + begin);
      else quantizeToS8(r.in(0) + begin, end - begin, q_, r.out<int8_t>(0) + begin);
    });
  }

 private:
  Isa isa_;
  QuantParams q_;
  DType to_;
};

// u8 or s8 → float32: the boundary out of an INT8 region.
class DequantizeLayer final : public Layer {
 public:
  DequantizeLayer(const LayerDesc& desc, Isa isa, DType from) : Layer(desc), isa_(isa), q_(quantParams(desc, from)), from_(from) {}
  std::vector<Shape> inferShapes(const std::vector<Shape>& in) const override {
    expectInputs(in, 1);
    return {in[0]};
  }
  void run(const LayerRun& r) const override {
    parallelRange(*r.pool, elementCount(*r.inputShapes[0]), 16384, [&](int64_t begin, int64_t end) {
      if (from_ == DType::Uint8) dequantizeU8(isa_, r.in<uint8_t>(0) + begin, end - begin, q_, r.out(0) + begin);
      else dequantizeS8(r.in<int8_t>(0) + begin, end - begin, q_, r.out(0) + begin);
    });
  }

 private:
  Isa isa_;
  QuantParams q_;
  DType from_;
};

KILN_REGISTER_LAYER("Quantize", [](const LayerDesc& desc, const LayerBuildContext& ctx) {
  if (ctx.inputTypes.size() != 1 || ctx.inputTypes[0] != DType::Float32 ||
      (ctx.outputTypes.at(0) != DType::Uint8 && ctx.outputTypes.at(0) != DType::Int8))
    throw Error("KILN_BUILD", "layer '" + desc.name + "' (Quantize): takes float32 to uint8 or int8");
  return std::unique_ptr<Layer>(new QuantizeLayer(desc, ctx.isa, ctx.outputTypes[0]));
});

KILN_REGISTER_LAYER("Dequantize", [](const LayerDesc& desc, const LayerBuildContext& ctx) {
  if (ctx.inputTypes.size() != 1 || (ctx.inputTypes[0] != DType::Uint8 && ctx.inputTypes[0] != DType::Int8) ||
      ctx.outputTypes.at(0) != DType::Float32)
    throw Error("KILN_BUILD", "layer '" + desc.name + "' (Dequantize): takes uint8 or int8 to float32");
  return std::unique_ptr<Layer>(new DequantizeLayer(desc, ctx.isa, ctx.inputTypes[0]));
});

}  // namespace
}  // namespace kiln
