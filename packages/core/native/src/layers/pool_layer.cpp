#include <algorithm>
#include <limits>
#include <type_traits>

#include "engine/layer.h"
#include "kernels/blocked_conv.h"
#include "kernels/blocked_pool.h"
#include "kernels/window3x3.h"
#include "layers/max_pool_phases.h"
#include "layers/max_pool_separable.h"
#include "layers/parallel.h"

namespace kiln {
namespace {

// A whole plane's sum or max in 16 independent partial results, so that the compiler vectorizes it
// and no add waits for the one before.
float reducePlane(const float* p, int64_t n, bool isMax) {
  constexpr int kLanes = 16;
  float part[kLanes];
  for (int j = 0; j < kLanes; ++j) part[j] = isMax ? -std::numeric_limits<float>::infinity() : 0.f;
  int64_t i = 0;
  if (isMax) {
    for (; i + kLanes <= n; i += kLanes)
      for (int j = 0; j < kLanes; ++j) part[j] = std::max(part[j], p[i + j]);
  } else {
    for (; i + kLanes <= n; i += kLanes)
      for (int j = 0; j < kLanes; ++j) part[j] += p[i + j];
  }
  float acc = part[0];
  for (int j = 1; j < kLanes; ++j) acc = isMax ? std::max(acc, part[j]) : acc + part[j];
  for (; i < n; ++i) acc = isMax ? std::max(acc, p[i]) : acc + p[i];
  return acc;
}

// 2-D max or average pooling over NCHW, with ONNX's pads, strides, dilations and ceil_mode.
// Global pooling is the same with the kernel set to the whole input at run time. `blocked`: max
// or global average pooling between channel-blocked tensors [N, ceil(C / 16), H, W, 16]
// (KilnMaxPoolBlocked, KilnGlobalAveragePoolBlocked).
class Pool2dLayer final : public Layer {
 public:
  Pool2dLayer(const LayerDesc& desc, Isa isa, bool isMax, bool global, bool blocked = false)
      : Layer(desc), isa_(isa), max_(isMax), global_(global), blocked_(blocked) {
    Attrs attrs(desc);
    if (global) return;
    kernel_ = attrs.getInts("kernel_shape");
    strides_ = attrs.getInts("strides", {1, 1});
    pads_ = attrs.getInts("pads", {0, 0, 0, 0});
    dilations_ = attrs.getInts("dilations", {1, 1});
    ceil_ = attrs.getInt("ceil_mode", 0) != 0;
    countPad_ = attrs.getInt("count_include_pad", 0) != 0;
    if (kernel_.size() != 2 || strides_.size() != 2 || pads_.size() != 4 || dilations_.size() != 2)
      attrs.fail("kernel_shape", "only 2-D pooling is supported");
  }

  using Geometry = blocked::PoolWindow;

  Geometry geometry(const Shape& in) const {
    if (blocked_ && (in.size() != 5 || in[4] != blocked::kBlock))
      shapeError("expects a blocked input [N, C/16, H, W, 16], got " + shapeToString(in));
    if (!blocked_ && in.size() != 4) shapeError("expects a 4-D NCHW input, got " + shapeToString(in));
    if (global_) return {in[2], in[3], 1, 1, 0, 0, 1, 1, 1, 1};
    Geometry g{kernel_[0], kernel_[1], strides_[0], strides_[1], pads_[0], pads_[1], dilations_[0], dilations_[1], 0, 0};
    const auto out = [&](int64_t size, int64_t k, int64_t s, int64_t padBegin, int64_t padEnd, int64_t d) {
      const int64_t span = size + padBegin + padEnd - d * (k - 1) - 1;
      int64_t o = (ceil_ ? (span + s - 1) / s : span / s) + 1;
      // A window that starts in the end padding is dropped (ONNX/PyTorch ceil_mode semantics).
      if (ceil_ && (o - 1) * s >= size + padBegin) --o;
      return o;
    };
    g.oh = out(in[2], g.kh, g.sh, pads_[0], pads_[2], g.dh);
    g.ow = out(in[3], g.kw, g.sw, pads_[1], pads_[3], g.dw);
    if (g.oh <= 0 || g.ow <= 0) shapeError("the pooling window is larger than the padded input " + shapeToString(in));
    return g;
  }

  std::vector<Shape> inferShapes(const std::vector<Shape>& in) const override {
    expectInputs(in, 1);
    const Geometry g = geometry(in[0]);
    if (blocked_) return {{in[0][0], in[0][1], g.oh, g.ow, blocked::kBlock}};
    return {{in[0][0], in[0][1], g.oh, g.ow}};
  }

  void run(const LayerRun& r) const override {
    const Shape& in = *r.inputShapes[0];
    if (blocked_ && global_) blocked::globalAveragePool(r.in(0), in[0] * in[1], in[2] * in[3], r.out(0), *r.pool);
    else if (global_) runGlobal(r);
    else if (blocked_) blocked::maxPool(isa_, r.in(0), in[0] * in[1], in[2], in[3], geometry(in), r.out(0), *r.pool);
    else if (r.inputTypes[0] == DType::Uint8) runTyped<uint8_t>(r);
    else runTyped<float>(r);
  }

 private:
  void runGlobal(const LayerRun& r) const {
    const Shape& in = *r.inputShapes[0];
    const int64_t plane = in[2] * in[3];
    const float* x = r.in(0);
    float* y = r.out(0);
    parallelRange(*r.pool, in[0] * in[1], std::max<int64_t>(1, 16384 / std::max<int64_t>(plane, 1)), [&](int64_t begin, int64_t end) {
      for (int64_t c = begin; c < end; ++c) {
        const float v = reducePlane(x + c * plane, plane, max_);
        y[c] = max_ ? v : plane ? v / static_cast<float>(plane) : 0.f;
      }
    });
  }

  // float, or the u8 of INT8 regions (max pooling only: the max of quantized values is the
  // quantized max).
  template <typename T>
  void runTyped(const LayerRun& r) const {
    const Shape& in = *r.inputShapes[0];
    const Geometry g = geometry(in);
    const int64_t h = in[2], w = in[3];
    const T* x = r.in<T>(0);
    T* y = r.out<T>(0);
    // Every window must overlap the plane for the clipped separable pass (true unless padding is
    // at least the kernel, which ONNX forbids).
    const bool separable = max_ && g.sh == 1 && g.sw == 1 && g.dh == 1 && g.dw == 1 && g.pt < g.kh && g.pl < g.kw &&
                           g.oh - 1 - g.pt < h && g.ow - 1 - g.pl < w;
    // 3x3 at stride 1 or 2 (ResNet's stem pooling) straight from the input rows with AVX2/AVX-512.
    const bool direct3x3 = max_ && window3x3Applies(isa_, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw);
    const bool phases = max_ && !separable && g.sh == g.sw && (g.sh == 1 || g.sh == 2) && g.dh == 1 && g.dw == 1;
    parallelRange(*r.pool, in[0] * in[1], 1, [&](int64_t begin, int64_t end) {
      if constexpr (std::is_same_v<T, float>) {
        if (direct3x3) {
          maxPoolPlanes3x3(isa_, {x + begin * h * w, h, w, y + begin * g.oh * g.ow, g.oh, g.ow, g.sh, g.pt, g.pl}, end - begin);
          return;
        }
      }
      std::vector<T> rows;
      for (int64_t plane = begin; plane < end; ++plane) {
        const T* src = x + plane * h * w;
        if (separable) {
          maxPoolStride1Plane(src, h, w, y + plane * g.oh * g.ow, g.oh, g.ow, g.kh, g.kw, g.pt, g.pl, rows);
          continue;
        }
        if (phases) {
          maxPoolPhasesPlane(src, h, w, y + plane * g.oh * g.ow, g.oh, g.ow, g.kh, g.kw, g.sh, g.pt, g.pl, rows);
          continue;
        }
        T* dst = y + plane * g.oh * g.ow;
        for (int64_t oy = 0; oy < g.oh; ++oy) {
          for (int64_t ox = 0; ox < g.ow; ++ox) {
            float acc = max_ ? -std::numeric_limits<float>::infinity() : 0.f;
            int64_t count = 0;
            for (int64_t ky = 0; ky < g.kh; ++ky) {
              const int64_t iy = oy * g.sh - g.pt + ky * g.dh;
              if (iy < 0 || iy >= h) continue;
              for (int64_t kx = 0; kx < g.kw; ++kx) {
                const int64_t ix = ox * g.sw - g.pl + kx * g.dw;
                if (ix < 0 || ix >= w) continue;
                const float v = static_cast<float>(src[iy * w + ix]);
                acc = max_ ? std::max(acc, v) : acc + v;
                ++count;
              }
            }
            if (!max_) {
              int64_t divisor = count;
              if (countPad_) {
                // Padded taps count, but not the part of a ceil_mode window beyond the padding.
                const int64_t y0 = oy * g.sh - g.pt, x0 = ox * g.sw - g.pl;
                const int64_t y1 = std::min(y0 + (g.kh - 1) * g.dh + 1, h + pads_[2]);
                const int64_t x1 = std::min(x0 + (g.kw - 1) * g.dw + 1, w + pads_[3]);
                divisor = ((y1 - y0 + g.dh - 1) / g.dh) * ((x1 - x0 + g.dw - 1) / g.dw);
              }
              acc = divisor ? acc / static_cast<float>(divisor) : 0.f;
            }
            dst[oy * g.ow + ox] = static_cast<T>(acc);
          }
        }
      }
    });
  }

  Isa isa_;
  bool max_, global_, blocked_;
  std::vector<int64_t> kernel_, strides_, pads_, dilations_;
  bool ceil_ = false, countPad_ = false;
};

KILN_REGISTER_LAYER("MaxPool", [](const LayerDesc& d, const LayerBuildContext& ctx) {
  Layer::requireTypes(d, ctx, {DType::Float32, DType::Uint8}); return std::unique_ptr<Layer>(new Pool2dLayer(d, ctx.isa, true, false)); });
KILN_REGISTER_LAYER("KilnMaxPoolBlocked", [](const LayerDesc& d, const LayerBuildContext& ctx) {
  Layer::requireTypes(d, ctx, {DType::Float32}); return std::unique_ptr<Layer>(new Pool2dLayer(d, ctx.isa, true, false, true)); });
KILN_REGISTER_LAYER("KilnGlobalAveragePoolBlocked", [](const LayerDesc& d, const LayerBuildContext& ctx) {
  Layer::requireTypes(d, ctx, {DType::Float32}); return std::unique_ptr<Layer>(new Pool2dLayer(d, ctx.isa, false, true, true)); });
KILN_REGISTER_LAYER("AveragePool", [](const LayerDesc& d, const LayerBuildContext& ctx) {
  Layer::requireTypes(d, ctx, {DType::Float32}); return std::unique_ptr<Layer>(new Pool2dLayer(d, ctx.isa, false, false)); });
KILN_REGISTER_LAYER("GlobalMaxPool", [](const LayerDesc& d, const LayerBuildContext& ctx) {
  Layer::requireTypes(d, ctx, {DType::Float32}); return std::unique_ptr<Layer>(new Pool2dLayer(d, ctx.isa, true, true)); });
KILN_REGISTER_LAYER("GlobalAveragePool", [](const LayerDesc& d, const LayerBuildContext& ctx) {
  Layer::requireTypes(d, ctx, {DType::Float32}); return std::unique_ptr<Layer>(new Pool2dLayer(d, ctx.isa, false, true)); });

}  // namespace
}  // namespace kiln
