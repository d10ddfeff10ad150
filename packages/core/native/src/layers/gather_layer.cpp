#include <cstring>

#include "engine/layer.h"
#include "layers/axis_view.h"
#include "layers/strided_copy.h"

namespace kiln {
namespace {

// Reads an int32 or int64 index tensor as int64 values, wrapping negatives by `dim`; throws
// (KILN_INPUT, naming the layer) on an index outside [-dim, dim).
std::vector<int64_t> readIndices(const LayerRun& r, size_t input, int64_t dim, const LayerDesc& desc) {
  const int64_t n = elementCount(*r.inputShapes[input]);
  std::vector<int64_t> out(n);
  for (int64_t i = 0; i < n; ++i) {
    int64_t v = r.inputTypes[input] == DType::Int64 ? r.in<int64_t>(input)[i] : r.in<int32_t>(input)[i];
    if (v < -dim || v >= dim)
      throw Error("KILN_INPUT", "layer '" + desc.name + "' (" + desc.type + "): index " + std::to_string(v) + " is out of range for an axis of " + std::to_string(dim));
    out[i] = v < 0 ? v + dim : v;
  }
  return out;
}

// Gather(data, indices) along `axis`: out = data[:axis] + indices.shape + data[axis+1:].
class GatherLayer final : public Layer {
 public:
  GatherLayer(const LayerDesc& desc) : Layer(desc), axis_(Attrs(desc).getInt("axis", 0)) {}

  std::vector<Shape> inferShapes(const std::vector<Shape>& in) const override {
    expectInputs(in, 2);
    int64_t axis;
    if (!normalizeAxis(axis_, in[0].size(), &axis)) shapeError("axis " + std::to_string(axis_) + " is out of range");
    Shape out(in[0].begin(), in[0].begin() + axis);
    out.insert(out.end(), in[1].begin(), in[1].end());
    out.insert(out.end(), in[0].begin() + axis + 1, in[0].end());
    return {out};
  }

  void run(const LayerRun& r) const override {
    int64_t axis;
    normalizeAxis(axis_, r.inputShapes[0]->size(), &axis);
    const AxisView v = axisView(*r.inputShapes[0], axis);
    const auto indices = readIndices(r, 1, v.length, desc_);
    const int64_t count = static_cast<int64_t>(indices.size());
    const int64_t rowBytes = v.inner * static_cast<int64_t>(dtypeSize(r.inputTypes[0]));
    const char* x = static_cast<const char*>(r.inputs[0]);
    char* y = static_cast<char*>(r.outputs[0]);
    parallelRange(*r.pool, v.outer * count, std::max<int64_t>(1, 65536 / std::max<int64_t>(1, rowBytes)), [&](int64_t begin, int64_t end) {
      for (int64_t t = begin; t < end; ++t) {
        const int64_t o = t / count, i = t % count;
        std::memcpy(y + t * rowBytes, x + (o * v.length + indices[i]) * rowBytes, rowBytes);
      }
    });
  }

 private:
  int64_t axis_;
};

// GatherElements(data, indices) along `axis`: out has the indices' shape, out[..i..] =
// data[..indices[..i..]..] with the index replacing the coordinate on `axis`.
class GatherElementsLayer final : public Layer {
 public:
  GatherElementsLayer(const LayerDesc& desc) : Layer(desc), axis_(Attrs(desc).getInt("axis", 0)) {}

  std::vector<Shape> inferShapes(const std::vector<Shape>& in) const override {
    expectInputs(in, 2);
    int64_t axis;
    if (in[0].size() != in[1].size()) shapeError("data and indices must have the same rank");
    if (!normalizeAxis(axis_, in[0].size(), &axis)) shapeError("axis " + std::to_string(axis_) + " is out of range");
    return {in[1]};
  }

  void run(const LayerRun& r) const override {
    const Shape& data = *r.inputShapes[0];
    const Shape& shape = *r.inputShapes[1];
    int64_t axis;
    normalizeAxis(axis_, data.size(), &axis);
    const auto indices = readIndices(r, 1, data[axis], desc_);
    const auto dataStrides = stridesOf(data);
    const size_t size = dtypeSize(r.inputTypes[0]);
    const char* x = static_cast<const char*>(r.inputs[0]);
    char* y = static_cast<char*>(r.outputs[0]);
    for (size_t d = 0; d < shape.size(); ++d)
      if (static_cast<int64_t>(d) != axis && shape[d] > data[d]) shapeError("indices " + shapeToString(shape) + " exceed data " + shapeToString(data));
    const int64_t total = elementCount(shape);
    for (int64_t e = 0; e < total; ++e) {
      int64_t rem = e, offset = 0;
      for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
        const int64_t idx = rem % shape[d];
        rem /= shape[d];
        offset += (d == axis ? indices[e] : idx) * dataStrides[d];
      }
      std::memcpy(y + e * size, x + offset * size, size);
    }
  }

 private:
  int64_t axis_;
};

void requireIndexType(const LayerDesc& desc, const LayerBuildContext& ctx) {
  if (ctx.inputTypes.size() != 2 || (ctx.inputTypes[1] != DType::Int64 && ctx.inputTypes[1] != DType::Int32))
    throw Error("KILN_BUILD", "layer '" + desc.name + "' (" + desc.type + "): indices must be int32 or int64");
}

KILN_REGISTER_LAYER("Gather", [](const LayerDesc& desc, const LayerBuildContext& ctx) {
  requireIndexType(desc, ctx);
  return std::unique_ptr<Layer>(new GatherLayer(desc));
});

KILN_REGISTER_LAYER("GatherElements", [](const LayerDesc& desc, const LayerBuildContext& ctx) {
  requireIndexType(desc, ctx);
  return std::unique_ptr<Layer>(new GatherElementsLayer(desc));
});

}  // namespace
}  // namespace kiln
