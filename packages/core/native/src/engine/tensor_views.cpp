#include "engine/tensor_views.h"

#include "engine/layer.h"

namespace kiln {
namespace {

int64_t outerCount(const Shape& shape, int64_t axis) {
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= shape[d];
  return outer;
}

bool normalizedAxis(const LayerDesc& desc, size_t rank, int64_t* axis) {
  auto it = desc.attrs.find("axis");
  if (it == desc.attrs.end() || it->second.ints.size() != 1) return false;
  int64_t a = it->second.ints[0];
  const int64_t r = static_cast<int64_t>(rank);
  if (a < -r || a >= r) return false;
  *axis = a < 0 ? a + r : a;
  return true;
}

}  // namespace

std::vector<TensorView> planTensorViews(const Engine& engine, const std::vector<Shape>& shapes) {
  const auto& tensors = engine.tensors();
  std::vector<TensorView> views(tensors.size());
  const auto computed = [&](int t) { return tensors[t].producer >= 0; };
  const auto free = [&](int t) { return computed(t) && tensors[t].graphOutput < 0 && views[t].parent < 0; };
  const auto bytesPerRow = [&](const Shape& s, int64_t axis, int tensor) {
    size_t inner = dtypeSize(tensors[tensor].dtype);
    for (size_t d = axis + 1; d < s.size(); ++d) inner *= static_cast<size_t>(s[d]);
    return inner;
  };

  for (size_t l = 0; l < engine.layers().size(); ++l) {
    const LayerDesc& desc = engine.layers()[l]->desc();
    const auto& in = engine.layerInputs()[l];
    const auto& out = engine.layerOutputs()[l];
    if (desc.type == "Reshape") {
      if (free(out[0]) && computed(in[0])) views[out[0]] = {in[0], 0};
    } else if (desc.type == "Split") {
      int64_t axis;
      const Shape& s = shapes[in[0]];
      if (!computed(in[0]) || !normalizedAxis(desc, s.size(), &axis) || outerCount(s, axis) != 1) continue;
      size_t offset = 0;
      for (int o : out) {
        if (free(o)) views[o] = {in[0], offset};
        offset += static_cast<size_t>(shapes[o][axis]) * bytesPerRow(s, axis, in[0]);
      }
    } else if (desc.type == "Concat") {
      int64_t axis;
      const Shape& s = shapes[out[0]];
      if (!computed(out[0]) || !normalizedAxis(desc, s.size(), &axis) || outerCount(s, axis) != 1) continue;
      size_t offset = 0;
      for (size_t i = 0; i < in.size(); ++i) {
        bool once = true;
        for (size_t j = 0; j < in.size(); ++j) once = once && (j == i || in[j] != in[i]);
        // An input that already holds views of its own stays put only if nothing else is needed:
        // moving it moves them with it, which is fine, so only its own home matters.
        if (once && free(in[i]) && in[i] != out[0]) views[in[i]] = {out[0], offset};
        offset += static_cast<size_t>(shapes[in[i]][axis]) * bytesPerRow(s, axis, out[0]);
      }
    }
  }
  return views;
}

}  // namespace kiln
