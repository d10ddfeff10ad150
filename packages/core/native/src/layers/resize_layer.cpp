#include <cmath>
#include <cstring>

#include "engine/layer.h"
#include "layers/parallel.h"

namespace kiln {
namespace {

// ONNX Resize (nearest and N-linear) with constant scales or sizes.
class ResizeLayer final : public Layer {
 public:
  ResizeLayer(const LayerDesc& desc) : Layer(desc) {
    Attrs attrs(desc);
    mode_ = attrs.getString("mode", "nearest");
    transform_ = attrs.getString("coordinate_transformation_mode", "half_pixel");
    nearestMode_ = attrs.getString("nearest_mode", "round_prefer_floor");
    if (attrs.has("scales")) scales_ = attrs.getFloats("scales");
    if (attrs.has("sizes")) sizes_ = attrs.getInts("sizes");
    if (scales_.empty() == sizes_.empty()) attrs.fail("scales", "exactly one of scales and sizes must be given");
    if (mode_ != "nearest" && mode_ != "linear") attrs.fail("mode", "must be 'nearest' or 'linear', got '" + mode_ + "'");
    static const char* transforms[] = {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric"};
    bool known = false;
    for (const char* t : transforms) known = known || transform_ == t;
    if (!known) attrs.fail("coordinate_transformation_mode", "'" + transform_ + "' is not supported");
    static const char* modes[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
    known = false;
    for (const char* m : modes) known = known || nearestMode_ == m;
    if (!known) attrs.fail("nearest_mode", "'" + nearestMode_ + "' is not supported");
  }

  std::vector<Shape> inferShapes(const std::vector<Shape>& in) const override {
    expectInputs(in, 1);
    const size_t rank = in[0].size();
    if ((!sizes_.empty() && sizes_.size() != rank) || (!scales_.empty() && scales_.size() != rank))
      shapeError("scales/sizes have a different rank than the input " + shapeToString(in[0]));
    Shape out(rank);
    for (size_t d = 0; d < rank; ++d)
      out[d] = sizes_.empty() ? static_cast<int64_t>(std::floor(in[0][d] * static_cast<double>(scales_[d]))) : sizes_[d];
    return {out};
  }

  void run(const LayerRun& r) const override {
    const Shape& in = *r.inputShapes[0];
    const Shape& out = *r.outputShapes[0];
    const size_t rank = in.size();
    const auto inStrides = stridesOf(in);
    // Per axis and output index: the lower source index, the upper one and the upper's weight.
    std::vector<std::vector<int64_t>> lo(rank), hi(rank);
    std::vector<std::vector<float>> weight(rank);
    std::vector<size_t> interpolated;
    for (size_t d = 0; d < rank; ++d) {
      const double scale = scales_.empty() ? static_cast<double>(out[d]) / in[d] : scales_[d];
      lo[d].resize(out[d]);
      hi[d].resize(out[d]);
      weight[d].resize(out[d]);
      bool moves = false;
      for (int64_t i = 0; i < out[d]; ++i) {
        const double x = sourceCoordinate(static_cast<double>(i), scale, in[d], out[d]);
        if (mode_ == "nearest") {
          lo[d][i] = hi[d][i] = clampIndex(nearest(x), in[d]);
          weight[d][i] = 0.f;
        } else {
          const double xc = std::min<double>(std::max(x, 0.0), static_cast<double>(in[d] - 1));
          const int64_t i0 = static_cast<int64_t>(std::floor(xc));
          lo[d][i] = i0;
          hi[d][i] = std::min<int64_t>(i0 + 1, in[d] - 1);
          weight[d][i] = static_cast<float>(xc - i0);
          moves = moves || weight[d][i] != 0.f;
        }
      }
      if (moves) interpolated.push_back(d);
    }
    if (interpolated.empty()) {
      // Trailing axes the resize leaves alone (a blocked tensor's 16 lanes) move whole: they become
      // part of the element each index copies.
      Shape inKept = in, outKept = out;
      int64_t inner = 1;
      while (outKept.size() > 1 && outKept.back() == inKept.back() && isIdentity(lo[outKept.size() - 1])) {
        inner *= outKept.back();
        inKept.pop_back();
        outKept.pop_back();
      }
      if (dtypeSize(r.inputTypes[0]) == 1) runNearest(r.in<uint8_t>(0), r.out<uint8_t>(0), inKept, outKept, inner, lo, *r.pool);
      else runNearest(r.in(0), r.out(0), inKept, outKept, inner, lo, *r.pool);
      return;
    }
    if (r.inputTypes[0] != DType::Float32) throw Error("KILN_INTERNAL", "layer '" + desc_.name + "': linear Resize of a non-float tensor");
    const float* x = r.in(0);
    float* y = r.out(0);
    const int64_t total = elementCount(out);
    parallelRange(*r.pool, total, 4096, [&](int64_t begin, int64_t end) {
      std::vector<int64_t> idx(rank);
      for (int64_t o = begin; o < end; ++o) {
        int64_t rem = o, base = 0;
        for (int64_t d = static_cast<int64_t>(rank) - 1; d >= 0; --d) {
          idx[d] = rem % out[d];
          rem /= out[d];
          base += lo[d][idx[d]] * inStrides[d];
        }
        float acc = 0.f;
        const size_t corners = size_t{1} << interpolated.size();
        for (size_t c = 0; c < corners; ++c) {
          int64_t offset = base;
          float w = 1.f;
          for (size_t k = 0; k < interpolated.size(); ++k) {
            const size_t d = interpolated[k];
            const float t = weight[d][idx[d]];
            if (c & (size_t{1} << k)) {
              offset += (hi[d][idx[d]] - lo[d][idx[d]]) * inStrides[d];
              w *= t;
            } else {
              w *= 1.f - t;
            }
          }
          acc += w * x[offset];
        }
        y[o] = acc;
      }
    });
  }

 private:
  double sourceCoordinate(double i, double scale, int64_t inSize, int64_t outSize) const {
    if (transform_ == "asymmetric") return i / scale;
    if (transform_ == "align_corners") return outSize == 1 ? 0.0 : i * (inSize - 1) / static_cast<double>(outSize - 1);
    if (transform_ == "pytorch_half_pixel") return outSize > 1 ? (i + 0.5) / scale - 0.5 : 0.0;
    return (i + 0.5) / scale - 0.5;
  }

  int64_t nearest(double x) const {
    if (nearestMode_ == "floor") return static_cast<int64_t>(std::floor(x));
    if (nearestMode_ == "ceil") return static_cast<int64_t>(std::ceil(x));
    const double f = std::floor(x);
    if (x - f == 0.5) return static_cast<int64_t>(nearestMode_ == "round_prefer_ceil" ? f + 1 : f);
    return static_cast<int64_t>(std::round(x));
  }

  static bool isIdentity(const std::vector<int64_t>& index) {
    for (size_t i = 0; i < index.size(); ++i)
      if (index[i] != static_cast<int64_t>(i)) return false;
    return true;
  }

  // Nearest over in -> out with `inner` contiguous elements per index: each output row (all axes
  // but the last) copies from one source row through the last axis' index map; a row equal to the
  // previous one is copied whole.
  template <typename T>
  static void runNearest(const T* x, T* y, const Shape& in, const Shape& out, int64_t inner,
                         const std::vector<std::vector<int64_t>>& index, ThreadPool& pool) {
    const size_t rank = out.size();
    if (rank == 0) {
      std::memcpy(y, x, sizeof(T) * inner);
      return;
    }
    auto inStrides = stridesOf(in);
    for (int64_t& stride : inStrides) stride *= inner;
    const int64_t width = out[rank - 1], rowElements = width * inner;
    const int64_t rows = width ? elementCount(out) / width : 0;
    const std::vector<int64_t>& columns = index[rank - 1];
    parallelRange(pool, rows, std::max<int64_t>(1, 4096 / std::max<int64_t>(rowElements, 1)), [&](int64_t begin, int64_t end) {
      int64_t previousSource = -1;
      for (int64_t row = begin; row < end; ++row) {
        int64_t rem = row, source = 0;
        for (int64_t d = static_cast<int64_t>(rank) - 2; d >= 0; --d) {
          source += index[d][rem % out[d]] * inStrides[d];
          rem /= out[d];
        }
        T* dst = y + row * rowElements;
        if (source == previousSource) {
          std::memcpy(dst, dst - rowElements, sizeof(T) * rowElements);
        } else if (inner == 1) {
          const T* src = x + source;
          for (int64_t i = 0; i < width; ++i) dst[i] = src[columns[i]];
        } else {
          const T* src = x + source;
          for (int64_t i = 0; i < width; ++i) std::memcpy(dst + i * inner, src + columns[i] * inner, sizeof(T) * inner);
        }
        previousSource = source;
      }
    });
  }

  static int64_t clampIndex(int64_t i, int64_t size) { return i < 0 ? 0 : (i >= size ? size - 1 : i); }

  std::string mode_, transform_, nearestMode_;
  std::vector<float> scales_;
  std::vector<int64_t> sizes_;
};

// Nearest resizing only moves elements, so it also takes the u8 tensors of INT8 regions.
KILN_REGISTER_LAYER("Resize", [](const LayerDesc& desc, const LayerBuildContext& ctx) {
  if (Attrs(desc).getString("mode", "nearest") == "nearest") Layer::requireTypes(desc, ctx, {DType::Float32, DType::Uint8});
  else Layer::requireTypes(desc, ctx, {DType::Float32});
  return std::unique_ptr<Layer>(new ResizeLayer(desc));
});

}  // namespace
}  // namespace kiln
