// INTERIM: a reference-only implementation of kernels/qconv2d.h so the INT8 pipeline can be
// built end to end; replaced by the packed SIMD kernels.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "kernels/activation_scalar.h"
#include "kernels/qconv2d.h"

namespace kiln {

const char* int8PathName(Int8Path path) {
  switch (path) {
    case Int8Path::Scalar: return "scalar";
    case Int8Path::Avx2: return "avx2";
    case Int8Path::AvxVnni: return "avxvnni";
    case Int8Path::Avx512Vnni: return "avx512vnni";
    case Int8Path::Amx: return "amx";
  }
  return "?";
}
bool parseInt8Path(const char* name, Int8Path* out) {
  for (int i = 0; i <= 4; ++i)
    if (std::strcmp(name, int8PathName(static_cast<Int8Path>(i))) == 0) { *out = static_cast<Int8Path>(i); return true; }
  return false;
}
bool int8PathSupported(Int8Path path) { return path == Int8Path::Scalar; }
Int8Path int8PathFor(Isa) { return Int8Path::Scalar; }
bool int8PathIsFast(Int8Path path) { return path >= Int8Path::AvxVnni; }
int int8WeightMax(Int8Path path) { return path == Int8Path::Avx2 ? 63 : 127; }

void quantizeWeightsPerChannel(const float* w, int64_t cout, int64_t per, int qmax, int8_t* q, float* scales) {
  for (int64_t c = 0; c < cout; ++c) {
    float m = 0.f;
    for (int64_t i = 0; i < per; ++i) m = std::max(m, std::fabs(w[c * per + i]));
    const float s = m > 0.f ? m / static_cast<float>(qmax) : 1.f;
    scales[c] = s;
    for (int64_t i = 0; i < per; ++i) {
      const float v = std::nearbyint(w[c * per + i] / s);
      q[c * per + i] = static_cast<int8_t>(std::min(std::max(v, -static_cast<float>(qmax)), static_cast<float>(qmax)));
    }
  }
}

void qconv2dReference(const ConvGeometry& g, int qmax, const uint8_t* x, int64_t batch, int64_t h, int64_t w,
                      const float* weights, const float* bias, const Epilogue& epilogue, QuantParams input,
                      const QConvOutput& output, const QResidual& residual, const uint8_t* r, void* y,
                      int32_t* accumulators) {
  const int64_t per = g.cin * g.kh * g.kw, oh = g.outH(h), ow = g.outW(w);
  std::vector<int8_t> wq(static_cast<size_t>(g.cout * per));
  std::vector<float> ws(static_cast<size_t>(g.cout));
  quantizeWeightsPerChannel(weights, g.cout, per, qmax, wq.data(), ws.data());
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t co = 0; co < g.cout; ++co)
      for (int64_t oy = 0; oy < oh; ++oy)
        for (int64_t ox = 0; ox < ow; ++ox) {
          int32_t acc = 0;
          for (int64_t ci = 0; ci < g.cin; ++ci)
            for (int64_t ky = 0; ky < g.kh; ++ky)
              for (int64_t kx = 0; kx < g.kw; ++kx) {
                const int64_t iy = oy * g.strideH - g.padTop + ky * g.dilationH, ix = ox * g.strideW - g.padLeft + kx * g.dilationW;
                const int32_t xv = (iy < 0 || iy >= h || ix < 0 || ix >= w) ? input.zeroPoint : x[((n * g.cin + ci) * h + iy) * w + ix];
                acc += (xv - input.zeroPoint) * wq[co * per + (ci * g.kh + ky) * g.kw + kx];
              }
          const int64_t o = ((n * g.cout + co) * oh + oy) * ow + ox;
          if (accumulators) accumulators[o] = acc;
          float v = static_cast<float>(acc) * (input.scale * ws[co]) + (bias ? bias[co] : 0.f);
          v = activateScalar(v, epilogue);
          if (residual.present) v += residual.quant.scale * static_cast<float>(static_cast<int32_t>(r[o]) - residual.quant.zeroPoint);
          if (output.isFloat) static_cast<float*>(y)[o] = v;
          else {
            const float q = std::nearbyint(v / output.quant.scale) + static_cast<float>(output.quant.zeroPoint);
            static_cast<uint8_t*>(y)[o] = static_cast<uint8_t>(std::min(std::max(q, 0.f), 255.f));
          }
        }
}

namespace {
class ReferenceQConv final : public QConv2dKernel {
 public:
  ReferenceQConv(const ConvGeometry& g, const float* w, const float* b, const Epilogue& e, QuantParams in, const QConvOutput& out, const QResidual& res)
      : g_(g), w_(w, w + g.cout * g.cin * g.kh * g.kw), e_(e), in_(in), out_(out), res_(res) {
    if (b) b_.assign(b, b + g.cout);
  }
  size_t workspaceBytes(int64_t, int64_t, int64_t, int) const override { return 0; }
  void run(const uint8_t* x, int64_t batch, int64_t h, int64_t w, void* y, const uint8_t* r, void*, ThreadPool&) const override {
    qconv2dReference(g_, 127, x, batch, h, w, w_.data(), b_.empty() ? nullptr : b_.data(), e_, in_, out_, res_, r, y);
  }
 private:
  ConvGeometry g_;
  std::vector<float> w_, b_;
  Epilogue e_;
  QuantParams in_;
  QConvOutput out_;
  QResidual res_;
};
}  // namespace

std::unique_ptr<QConv2dKernel> QConv2dKernel::create(Int8Path, const ConvGeometry& g, const float* w, const float* b,
                                                     const Epilogue& e, QuantParams in, const QConvOutput& out,
                                                     const QResidual& res) {
  return std::make_unique<ReferenceQConv>(g, w, b, e, in, out, res);
}

}  // namespace kiln
