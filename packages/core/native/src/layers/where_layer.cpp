#include "engine/layer.h"
#include "layers/broadcast_rows.h"
#include "layers/dtype_dispatch.h"

namespace kiln {
namespace {

// Where(condition, x, y): x where the bool condition holds, else y, all three broadcast.
class WhereLayer final : public Layer {
 public:
  using Layer::Layer;

  std::vector<Shape> inferShapes(const std::vector<Shape>& in) const override {
    expectInputs(in, 3);
    Shape xy, out;
    if (!broadcastShapes(in[1], in[2], &xy) || !broadcastShapes(in[0], xy, &out))
      shapeError("cannot broadcast " + shapeToString(in[0]) + ", " + shapeToString(in[1]) + " and " + shapeToString(in[2]));
    return {out};
  }

  void run(const LayerRun& r) const override {
    switch (dtypeSize(r.inputTypes[1])) {
      case 1: return runAs<uint8_t>(r);
      case 2: return runAs<uint16_t>(r);
      case 4: return runAs<uint32_t>(r);
      default: return runAs<uint64_t>(r);
    }
  }

 private:
  template <typename T>
  void runAs(const LayerRun& r) const {
    const uint8_t* c = r.in<uint8_t>(0);
    const T* x = r.in<T>(1);
    const T* y = r.in<T>(2);
    T* out = r.out<T>(0);
    broadcastRows<3>({r.inputShapes[0], r.inputShapes[1], r.inputShapes[2]}, *r.outputShapes[0], *r.pool,
                     [&](int64_t o, const std::array<int64_t, 3>& off, const std::array<int64_t, 3>& st, int64_t n) {
                       for (int64_t i = 0; i < n; ++i)
                         out[o + i] = c[off[0] + i * st[0]] ? x[off[1] + i * st[1]] : y[off[2] + i * st[2]];
                     });
  }
};

KILN_REGISTER_LAYER("Where", [](const LayerDesc& desc, const LayerBuildContext& ctx) {
  if (ctx.inputTypes.size() != 3 || ctx.inputTypes[0] != DType::Bool || ctx.inputTypes[1] != ctx.inputTypes[2])
    throw Error("KILN_BUILD", "layer '" + desc.name + "' (Where): takes a bool condition and two inputs of one element type");
  return std::unique_ptr<Layer>(new WhereLayer(desc));
});

}  // namespace
}  // namespace kiln
