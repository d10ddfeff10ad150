#include "engine/layer.h"
#include "layers/strided_copy.h"

namespace kiln {
namespace {

class TransposeLayer final : public Layer {
 public:
  TransposeLayer(const LayerDesc& desc) : Layer(desc), perm_(Attrs(desc).getInts("perm")) {}

  std::vector<Shape> inferShapes(const std::vector<Shape>& in) const override {
    expectInputs(in, 1);
    if (perm_.size() != in[0].size()) shapeError("perm has " + std::to_string(perm_.size()) + " axes, the input " + std::to_string(in[0].size()));
    std::vector<bool> seen(perm_.size(), false);
    Shape out(perm_.size());
    for (size_t i = 0; i < perm_.size(); ++i) {
      if (perm_[i] < 0 || perm_[i] >= static_cast<int64_t>(perm_.size()) || seen[perm_[i]]) shapeError("perm is not a permutation");
      seen[perm_[i]] = true;
      out[i] = in[0][perm_[i]];
    }
    return {out};
  }

  void run(const LayerRun& r) const override {
    const auto inStrides = stridesOf(*r.inputShapes[0]);
    std::vector<int64_t> strides(perm_.size());
    for (size_t i = 0; i < perm_.size(); ++i) strides[i] = inStrides[perm_[i]];
    gatherStrided(r.inputs[0], strides, *r.outputShapes[0], r.outputs[0], dtypeSize(r.inputTypes[0]), *r.pool);
  }

 private:
  std::vector<int64_t> perm_;
};

KILN_REGISTER_LAYER("Transpose", [](const LayerDesc& desc, const LayerBuildContext&) {
  return std::unique_ptr<Layer>(new TransposeLayer(desc));
});

}  // namespace
}  // namespace kiln
