#include <cstring>

#include "engine/layer.h"
#include "layers/strided_copy.h"

namespace kiln {
namespace {

// Tile: the input repeated `repeats[d]` times along each axis d.
class TileLayer final : public Layer {
 public:
  TileLayer(const LayerDesc& desc) : Layer(desc), repeats_(Attrs(desc).getInts("repeats")) {}

  std::vector<Shape> inferShapes(const std::vector<Shape>& in) const override {
    expectInputs(in, 1);
    if (repeats_.size() != in[0].size()) shapeError("repeats has " + std::to_string(repeats_.size()) + " values for a rank-" + std::to_string(in[0].size()) + " input");
    Shape out = in[0];
    for (size_t d = 0; d < out.size(); ++d) {
      if (repeats_[d] < 0) shapeError("repeats must not be negative");
      out[d] *= repeats_[d];
    }
    return {out};
  }

  void run(const LayerRun& r) const override {
    const Shape& in = *r.inputShapes[0];
    const Shape& out = *r.outputShapes[0];
    if (elementCount(out) == 0) return;
    if (out.empty()) {
      std::memcpy(r.outputs[0], r.inputs[0], dtypeSize(r.inputTypes[0]));
      return;
    }
    const auto inStrides = stridesOf(in);
    const size_t size = dtypeSize(r.inputTypes[0]);
    const size_t rank = out.size();
    const int64_t inner = out[rank - 1], innerIn = in[rank - 1];
    const char* x = static_cast<const char*>(r.inputs[0]);
    char* y = static_cast<char*>(r.outputs[0]);
    parallelRange(*r.pool, elementCount(out) / inner, std::max<int64_t>(1, 4096 / inner), [&](int64_t begin, int64_t end) {
      for (int64_t row = begin; row < end; ++row) {
        int64_t rem = row, offset = 0;
        for (int64_t d = static_cast<int64_t>(rank) - 2; d >= 0; --d) {
          offset += ((rem % out[d]) % in[d]) * inStrides[d];
          rem /= out[d];
        }
        for (int64_t i = 0; i < inner; i += innerIn)
          std::memcpy(y + (row * inner + i) * size, x + offset * size, innerIn * size);
      }
    });
  }

 private:
  std::vector<int64_t> repeats_;
};

KILN_REGISTER_LAYER("Tile", [](const LayerDesc& desc, const LayerBuildContext&) {
  return std::unique_ptr<Layer>(new TileLayer(desc));
});

}  // namespace
}  // namespace kiln
