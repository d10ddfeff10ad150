#include <cmath>

#include "engine/layer.h"
#include "layers/dtype_dispatch.h"
#include "layers/parallel.h"

namespace kiln {
namespace {

// Element type conversion between float32, the integer types and bool (C++ conversion rules,
// float to integer truncating toward zero; anything non-zero is true).
class CastLayer final : public Layer {
 public:
  CastLayer(const LayerDesc& desc, DType from, DType to) : Layer(desc), from_(from), to_(to) {}

  std::vector<Shape> inferShapes(const std::vector<Shape>& in) const override {
    expectInputs(in, 1);
    return {in[0]};
  }

  void run(const LayerRun& r) const override {
    const int64_t n = elementCount(*r.outputShapes[0]);
    dispatchType(from_, [&](auto fromTag) {
      dispatchType(to_, [&](auto toTag) {
        using From = StorageOf<decltype(fromTag)>;
        using To = StorageOf<decltype(toTag)>;
        constexpr bool kToBool = std::is_same<decltype(toTag), BoolTag>::value;
        const From* x = r.in<From>(0);
        To* y = r.out<To>(0);
        parallelRange(*r.pool, n, 16384, [&](int64_t begin, int64_t end) {
          for (int64_t i = begin; i < end; ++i) {
            if constexpr (kToBool) y[i] = x[i] != From(0);
            else if constexpr (std::is_floating_point<From>::value && !std::is_floating_point<To>::value)
              y[i] = std::isfinite(x[i]) ? static_cast<To>(static_cast<int64_t>(x[i])) : To(0);
            else y[i] = static_cast<To>(x[i]);
          }
        });
      });
    });
  }

 private:
  DType from_, to_;
};

KILN_REGISTER_LAYER("Cast", [](const LayerDesc& desc, const LayerBuildContext& ctx) {
  if (ctx.inputTypes.size() != 1 || ctx.outputTypes.size() != 1) throw Error("KILN_BUILD", "layer '" + desc.name + "' (Cast): one input and one output");
  Layer::requireTypes(desc, ctx, {DType::Float32, DType::Int32, DType::Int64, DType::Int8, DType::Uint8, DType::Bool});
  return std::unique_ptr<Layer>(new CastLayer(desc, ctx.inputTypes[0], ctx.outputTypes[0]));
});

}  // namespace
}  // namespace kiln
