#include "engine/layer.h"
#include "layers/parallel.h"

namespace kiln {
namespace {

// ConvTranspose over NCHW (1-D inputs as H = 1) with weights [cin, cout/group, kh, kw] (constant or
// computed) and an optional bias: each output pixel gathers the input pixels whose strided,
// dilated taps land on it.
class ConvTransposeLayer final : public Layer {
 public:
  explicit ConvTransposeLayer(const LayerDesc& desc) : Layer(desc) {
    Attrs attrs(desc);
    if (desc.inputs.size() < 2) throw Error("KILN_BUILD", "layer '" + desc.name + "' (ConvTranspose): no weights");
    const bool oneD = Attrs(desc).getInts("strides").size() == 1;
    auto spatial = [&](const std::vector<int64_t>& v, int64_t fallback) {
      return oneD ? std::vector<int64_t>{fallback, v.at(0)} : v;
    };
    const auto strides = attrs.getInts("strides"), dilations = attrs.getInts("dilations"), outPad = attrs.getInts("output_padding");
    const auto pads = attrs.getInts("pads");
    const size_t n = oneD ? 1 : 2;
    if (strides.size() != n || dilations.size() != n || outPad.size() != n || pads.size() != 2 * n) attrs.fail("pads", "does not match the weights' rank");
    stride_ = spatial(strides, 1);
    dilation_ = spatial(dilations, 1);
    outputPadding_ = spatial(outPad, 0);
    padBegin_ = oneD ? std::vector<int64_t>{0, pads[0]} : std::vector<int64_t>{pads[0], pads[1]};
    padEnd_ = oneD ? std::vector<int64_t>{0, pads[1]} : std::vector<int64_t>{pads[2], pads[3]};
    group_ = attrs.getInt("group", 1);
    oneD_ = oneD;
    if (group_ <= 0) attrs.fail("group", "must be positive");
  }

  struct Dims {
    int64_t cin, coutPerGroup, kh, kw;
  };
  Dims dims(const Shape& weights) const {
    if (weights.size() != (oneD_ ? 3u : 4u)) shapeError("the weights " + shapeToString(weights) + " do not match the layer's rank");
    return {weights[0], weights[1], oneD_ ? 1 : weights[2], weights.back()};
  }

  std::vector<Shape> inferShapes(const std::vector<Shape>& in) const override {
    const Shape& x = in[0];
    const Dims d = dims(in.at(1));
    const int64_t cin_ = d.cin, coutPerGroup_ = d.coutPerGroup, kh_ = d.kh, kw_ = d.kw;
    if (cin_ % group_ != 0) shapeError("group does not divide the input channels");
    if (in.size() > 2 && elementCount(in[2]) != coutPerGroup_ * group_) shapeError("the bias needs one value per output channel");
    if (x.size() != (oneD_ ? 3u : 4u) || x[1] != cin_) shapeError("expects " + std::to_string(cin_) + " input channels in " + shapeToString(x));
    const int64_t h = oneD_ ? 1 : x[2], w = x.back();
    const int64_t oh = stride_[0] * (h - 1) + outputPadding_[0] + (kh_ - 1) * dilation_[0] + 1 - padBegin_[0] - padEnd_[0];
    const int64_t ow = stride_[1] * (w - 1) + outputPadding_[1] + (kw_ - 1) * dilation_[1] + 1 - padBegin_[1] - padEnd_[1];
    if (oh <= 0 || ow <= 0) shapeError("the padding leaves no output for " + shapeToString(x));
    return {oneD_ ? Shape{x[0], coutPerGroup_ * group_, ow} : Shape{x[0], coutPerGroup_ * group_, oh, ow}};
  }

  void run(const LayerRun& r) const override {
    const Shape& x = *r.inputShapes[0];
    const Shape& y = *r.outputShapes[0];
    const Dims d = dims(*r.inputShapes[1]);
    const int64_t cin_ = d.cin, coutPerGroup_ = d.coutPerGroup, kh_ = d.kh, kw_ = d.kw;
    const int64_t batch = x[0], h = oneD_ ? 1 : x[2], w = x.back();
    const int64_t oh = oneD_ ? 1 : y[2], ow = y.back(), cout = coutPerGroup_ * group_, cinPerGroup = cin_ / group_;
    const float* in = r.in(0);
    const float* weights = r.in(1);
    const float* bias = r.inputs.size() > 2 ? r.in(2) : nullptr;
    float* out = r.out(0);
    parallelRange(*r.pool, batch * cout, 1, [&](int64_t begin, int64_t end) {
      for (int64_t plane = begin; plane < end; ++plane) {
        const int64_t n = plane / cout, co = plane % cout, g = co / coutPerGroup_, coInGroup = co % coutPerGroup_;
        float* dst = out + plane * oh * ow;
        for (int64_t oy = 0; oy < oh; ++oy) {
          for (int64_t ox = 0; ox < ow; ++ox) {
            float acc = bias ? bias[co] : 0.f;
            for (int64_t ky = 0; ky < kh_; ++ky) {
              const int64_t ty = oy + padBegin_[0] - ky * dilation_[0];
              if (ty < 0 || ty % stride_[0] != 0 || ty / stride_[0] >= h) continue;
              const int64_t iy = ty / stride_[0];
              for (int64_t kx = 0; kx < kw_; ++kx) {
                const int64_t tx = ox + padBegin_[1] - kx * dilation_[1];
                if (tx < 0 || tx % stride_[1] != 0 || tx / stride_[1] >= w) continue;
                const int64_t ix = tx / stride_[1];
                for (int64_t c = 0; c < cinPerGroup; ++c) {
                  const int64_t ci = g * cinPerGroup + c;
                  acc += in[((n * cin_ + ci) * h + iy) * w + ix] * weights[((ci * coutPerGroup_ + coInGroup) * kh_ + ky) * kw_ + kx];
                }
              }
            }
            dst[oy * ow + ox] = acc;
          }
        }
      }
    });
  }

 private:
  std::vector<int64_t> stride_, dilation_, outputPadding_, padBegin_, padEnd_;
  int64_t group_ = 1;
  bool oneD_ = false;
};

KILN_REGISTER_LAYER("ConvTranspose", [](const LayerDesc& desc, const LayerBuildContext& ctx) {
  Layer::requireTypes(desc, ctx, {DType::Float32});
  return std::unique_ptr<Layer>(new ConvTransposeLayer(desc));
});

}  // namespace
}  // namespace kiln
