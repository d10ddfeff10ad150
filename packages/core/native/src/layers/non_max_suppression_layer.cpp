#include <algorithm>
#include <numeric>

#include "engine/layer.h"

namespace kiln {
namespace {

// ONNX NonMaxSuppression (the lowering supplies every optional input: max 0, IoU 0, score -FLT_MAX):
// per batch item and class, boxes above score_threshold in descending
// score order, each kept unless its IoU with a kept one exceeds iou_threshold, at most
// max_output_boxes_per_class of them. Output rows [batch, class, box] (int64). Its length depends
// on the data: the planned shape is the upper bound, the produced one goes to resultShapes.
class NonMaxSuppressionLayer final : public Layer {
 public:
  NonMaxSuppressionLayer(const LayerDesc& desc, const LayerBuildContext& ctx)
      : Layer(desc), centerPointBox_(Attrs(desc).getInt("center_point_box", 0) == 1) {
    if (desc.inputs.size() != 5) throw Error("KILN_BUILD", "layer '" + desc.name + "' (NonMaxSuppression): expects all five inputs");
    if (ctx.constantInputs[2]) constantMax_ = *ctx.constantInputs[2]->as<int64_t>();
  }

  std::vector<Shape> inferShapes(const std::vector<Shape>& in) const override {
    const Shape& boxes = in[0];
    const Shape& scores = in[1];
    if (boxes.size() != 3 || boxes[2] != 4 || scores.size() != 3 || scores[0] != boxes[0] || scores[2] != boxes[1])
      shapeError("expects boxes [N, B, 4] and scores [N, C, B], got " + shapeToString(boxes) + " and " + shapeToString(scores));
    const int64_t perClass = constantMax_ >= 0 ? std::min(boxes[1], constantMax_) : boxes[1];
    return {{boxes[0] * scores[1] * perClass, 3}};
  }

  void run(const LayerRun& r) const override {
    const Shape& boxesShape = *r.inputShapes[0];
    const int64_t batches = boxesShape[0], count = boxesShape[1], classes = (*r.inputShapes[1])[1];
    const float* boxes = r.in(0);
    const float* scores = r.in(1);
    const int64_t maxPerClass = std::min(*r.in<int64_t>(2), count);
    const float iouThreshold = *r.in(3);
    const float scoreThreshold = *r.in(4);
    int64_t* out = r.out<int64_t>(0);
    int64_t rows = 0;
    std::vector<int64_t> order(count), kept;
    for (int64_t b = 0; b < batches && maxPerClass > 0; ++b) {
      const float* boxSet = boxes + b * count * 4;
      for (int64_t c = 0; c < classes; ++c) {
        const float* score = scores + (b * classes + c) * count;
        order.clear();
        for (int64_t i = 0; i < count; ++i)
          if (score[i] > scoreThreshold) order.push_back(i);
        std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) { return score[x] > score[y]; });
        kept.clear();
        for (int64_t i : order) {
          if (static_cast<int64_t>(kept.size()) >= maxPerClass) break;
          bool keep = true;
          for (int64_t k : kept)
            if (iou(boxSet + i * 4, boxSet + k * 4) > iouThreshold) {
              keep = false;
              break;
            }
          if (!keep) continue;
          kept.push_back(i);
          out[rows * 3] = b;
          out[rows * 3 + 1] = c;
          out[rows * 3 + 2] = i;
          ++rows;
        }
      }
    }
    *r.resultShapes[0] = {rows, 3};
  }

 private:
  // [y1, x1, y2, x2] in any corner order, or [x_center, y_center, width, height].
  void corners(const float* box, float* y1, float* x1, float* y2, float* x2) const {
    if (centerPointBox_) {
      *x1 = box[0] - box[2] / 2;
      *x2 = box[0] + box[2] / 2;
      *y1 = box[1] - box[3] / 2;
      *y2 = box[1] + box[3] / 2;
    } else {
      *y1 = std::min(box[0], box[2]);
      *y2 = std::max(box[0], box[2]);
      *x1 = std::min(box[1], box[3]);
      *x2 = std::max(box[1], box[3]);
    }
  }

  float iou(const float* a, const float* b) const {
    float ay1, ax1, ay2, ax2, by1, bx1, by2, bx2;
    corners(a, &ay1, &ax1, &ay2, &ax2);
    corners(b, &by1, &bx1, &by2, &bx2);
    const float ih = std::max(0.f, std::min(ay2, by2) - std::max(ay1, by1));
    const float iw = std::max(0.f, std::min(ax2, bx2) - std::max(ax1, bx1));
    const float intersection = ih * iw;
    const float areas = (ay2 - ay1) * (ax2 - ax1) + (by2 - by1) * (bx2 - bx1) - intersection;
    return areas > 0 ? intersection / areas : 0.f;
  }

  bool centerPointBox_;
  int64_t constantMax_ = -1;
};

std::unique_ptr<Layer> createNonMaxSuppression(const LayerDesc& desc, const LayerBuildContext& ctx) {
  static const DType expected[] = {DType::Float32, DType::Float32, DType::Int64, DType::Float32, DType::Float32};
  for (size_t i = 0; i < ctx.inputTypes.size() && i < 5; ++i)
    if (ctx.inputTypes[i] != expected[i])
      throw Error("KILN_BUILD", "layer '" + desc.name + "' (NonMaxSuppression): input " + std::to_string(i) + " is " + dtypeName(ctx.inputTypes[i]));
  return std::unique_ptr<Layer>(new NonMaxSuppressionLayer(desc, ctx));
}

KILN_REGISTER_LAYER("NonMaxSuppression", createNonMaxSuppression);

}  // namespace
}  // namespace kiln
