#include <algorithm>
#include <vector>

#include "engine/layer.h"
#include "kernels/yolo_decode.h"

namespace kiln {
namespace {

// YOLOv5's head decode for one level (Kiln's KilnYoloDecode, made by the yolo-decode fusion pass):
// x [N, A·K, H, W] → y [N, A·H·W, K] where, with s = sigmoid(x[n, a·K + k, i, j]) and cell
// c = (a·H + i)·W + j:  k < 2: (2s + grid[c, k])·stride;  k < 4: (2s)²·anchor[c, k − 2];  else s.
// Inputs 1 and 2 are the grid and anchor constants as dense [A·H·W·2] arrays.
class YoloDecodeLayer final : public Layer {
 public:
  YoloDecodeLayer(const LayerDesc& desc, const LayerBuildContext& ctx) : Layer(desc), isa_(ctx.isa) {
    Attrs attrs(desc);
    anchors_ = attrs.getInt("anchors");
    outputs_ = attrs.getInt("outputs");
    stride_ = attrs.getFloat("stride");
    if (desc.inputs.size() != 3 || !ctx.constantInputs[1] || !ctx.constantInputs[2])
      throw Error("KILN_BUILD", "layer '" + desc.name + "' (YoloDecode): the grid and anchors must be constants");
    grid_ = ctx.constantInputs[1];
    anchorGrid_ = ctx.constantInputs[2];
    if (anchors_ < 1 || outputs_ < 5) attrs.fail("outputs", "must describe at least one anchor of at least 5 values");
  }

  std::vector<Shape> inferShapes(const std::vector<Shape>& in) const override {
    const Shape& x = in[0];
    if (x.size() != 4 || x[1] != anchors_ * outputs_) shapeError("expects [N, " + std::to_string(anchors_ * outputs_) + ", H, W], got " + shapeToString(x));
    const int64_t cells = anchors_ * x[2] * x[3];
    if (elementCount(grid_->shape) != cells * 2 || elementCount(anchorGrid_->shape) != cells * 2)
      shapeError("the grid was built for another feature-map size than " + shapeToString(x));
    return {{x[0], cells, outputs_}};
  }

  size_t workspaceBytes(const std::vector<Shape>& in, int threads) const override {
    return sizeof(float) * static_cast<size_t>(yoloDecodeScratchFloats(in[0][3], outputs_)) * static_cast<size_t>(threads);
  }

  void run(const LayerRun& r) const override {
    const Shape& x = *r.inputShapes[0];
    const int64_t n = x[0], h = x[2], w = x[3], k = outputs_, plane = h * w;
    const float* in = r.in(0);
    const float* grid = grid_->floats();
    const float* anchor = anchorGrid_->floats();
    float* out = r.out(0);
    const int64_t rows = n * anchors_ * h;
    const int64_t scratchFloats = yoloDecodeScratchFloats(w, k);
    const int64_t tasks = std::min<int64_t>(rows, r.pool->size());
    r.pool->parallelFor(tasks, [&](int64_t task, int thread) {
      float* scratch = static_cast<float*>(r.workspace) + scratchFloats * thread;
      for (int64_t row = rows * task / tasks; row < rows * (task + 1) / tasks; ++row) {
        const int64_t i = row % h, a = (row / h) % anchors_, b = row / (h * anchors_);
        const int64_t cell0 = (a * h + i) * w;
        YoloDecodeRow d;
        d.x = in + ((b * anchors_ + a) * k * h + i) * w;
        d.plane = plane;
        d.w = w;
        d.k = k;
        d.grid = grid + cell0 * 2;
        d.anchor = anchor + cell0 * 2;
        d.stride = stride_;
        d.y = out + (b * anchors_ * plane + cell0) * k;
        yoloDecodeRow(isa_, d, scratch);
      }
    });
  }

 private:
  Isa isa_;
  int64_t anchors_, outputs_;
  float stride_;
  const ConstantDesc* grid_;
  const ConstantDesc* anchorGrid_;
};

KILN_REGISTER_LAYER("YoloDecode", [](const LayerDesc& desc, const LayerBuildContext& ctx) {
  Layer::requireTypes(desc, ctx, {DType::Float32});
  return std::unique_ptr<Layer>(new YoloDecodeLayer(desc, ctx));
});

}  // namespace
}  // namespace kiln
