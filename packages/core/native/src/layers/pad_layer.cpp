#include <cstring>

#include "engine/layer.h"
#include "layers/dtype_dispatch.h"
#include "layers/strided_copy.h"

namespace kiln {
namespace {

// Pad with ONNX's modes: constant (`value`), reflect (mirror without the edge), edge (repeat the
// edge) and wrap. `pads` holds every axis's begin counts, then every axis's end counts (negative
// counts crop).
class PadLayer final : public Layer {
 public:
  PadLayer(const LayerDesc& desc, DType type) : Layer(desc), type_(type) {
    Attrs attrs(desc);
    pads_ = attrs.getInts("pads");
    value_ = attrs.getFloat("value", 0.f);
    const std::string mode = attrs.getString("mode", "constant");
    if (mode == "constant") mode_ = Mode::Constant;
    else if (mode == "reflect") mode_ = Mode::Reflect;
    else if (mode == "edge") mode_ = Mode::Edge;
    else if (mode == "wrap") mode_ = Mode::Wrap;
    else attrs.fail("mode", "'" + mode + "' is not a Pad mode");
  }

  std::vector<Shape> inferShapes(const std::vector<Shape>& in) const override {
    expectInputs(in, 1);
    const size_t rank = in[0].size();
    if (pads_.size() != 2 * rank) shapeError("pads has " + std::to_string(pads_.size()) + " values for a rank-" + std::to_string(rank) + " input");
    Shape out = in[0];
    for (size_t d = 0; d < rank; ++d) {
      out[d] += pads_[d] + pads_[d + rank];
      if (out[d] < 0) shapeError("pads crop more than the input has");
      if (mode_ != Mode::Constant && in[0][d] == 0 && out[d] > 0) shapeError("cannot pad an empty axis in this mode");
      if (mode_ == Mode::Reflect && (pads_[d] >= in[0][d] || pads_[d + rank] >= in[0][d]) && (pads_[d] > 0 || pads_[d + rank] > 0))
        shapeError("reflect padding must be shorter than the axis");
    }
    return {out};
  }

  void run(const LayerRun& r) const override {
    dispatchType(type_, [&](auto tag) { runAs<StorageOf<decltype(tag)>>(r); });
  }

 private:
  enum class Mode { Constant, Reflect, Edge, Wrap };

  // The source coordinate for output coordinate `o` along an axis of length n, or -1 for padding.
  int64_t source(int64_t o, int64_t begin, int64_t n) const {
    int64_t i = o - begin;
    if (i >= 0 && i < n) return i;
    switch (mode_) {
      case Mode::Constant: return -1;
      case Mode::Edge: return i < 0 ? 0 : n - 1;
      case Mode::Wrap: return ((i % n) + n) % n;
      case Mode::Reflect: {
        if (n == 1) return 0;
        const int64_t period = 2 * (n - 1);
        i = ((i % period) + period) % period;
        return i < n ? i : period - i;
      }
    }
    return -1;
  }

  template <typename T>
  void runAs(const LayerRun& r) const {
    const Shape& in = *r.inputShapes[0];
    const Shape& out = *r.outputShapes[0];
    const size_t rank = out.size();
    const auto strides = stridesOf(in);
    const T* x = r.in<T>(0);
    T* y = r.out<T>(0);
    const T fill = static_cast<T>(value_);
    parallelRange(*r.pool, elementCount(out), 16384, [&](int64_t begin, int64_t end) {
      for (int64_t e = begin; e < end; ++e) {
        int64_t rem = e, offset = 0;
        bool inside = true;
        for (int64_t d = static_cast<int64_t>(rank) - 1; d >= 0; --d) {
          const int64_t s = source(rem % out[d], pads_[d], in[d]);
          rem /= out[d];
          if (s < 0) inside = false;
          else offset += s * strides[d];
        }
        y[e] = inside ? x[offset] : fill;
      }
    });
  }

  DType type_;
  std::vector<int64_t> pads_;
  float value_;
  Mode mode_ = Mode::Constant;
};

KILN_REGISTER_LAYER("Pad", [](const LayerDesc& desc, const LayerBuildContext& ctx) {
  Layer::requireTypes(desc, ctx, {DType::Float32, DType::Int32, DType::Int64, DType::Int8, DType::Uint8, DType::Bool});
  return std::unique_ptr<Layer>(new PadLayer(desc, ctx.inputTypes.empty() ? DType::Float32 : ctx.inputTypes[0]));
});

}  // namespace
}  // namespace kiln
