// Weight quantization and the plain INT8 convolution reference: direct loops, exact int32 sums, the
// epilogue in float in the order the kernels use.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "kernels/activation_scalar.h"
#include "kernels/qconv2d.h"

namespace kiln {

void quantizeWeightsPerChannel(const float* weights, int64_t cout, int64_t perChannel, int qmax, int8_t* quantized,
                               float* scales) {
  for (int64_t c = 0; c < cout; ++c) {
    const float* w = weights + c * perChannel;
    float absMax = 0.f;
    for (int64_t i = 0; i < perChannel; ++i) absMax = std::max(absMax, std::fabs(w[i]));
    const float scale = absMax > 0.f ? absMax / static_cast<float>(qmax) : 1.f;
    scales[c] = scale;
    for (int64_t i = 0; i < perChannel; ++i) {
      const float q = std::nearbyint(w[i] / scale);
      quantized[c * perChannel + i] = static_cast<int8_t>(std::min<float>(std::max<float>(q, -qmax), qmax));
    }
  }
}

void qconv2dReference(const ConvGeometry& g, int qmax, const uint8_t* x, int64_t batch, int64_t h, int64_t w,
                      const float* weights, const float* bias, const Epilogue& epilogue, QuantParams input,
                      const QConvOutput& output, const QResidual& residual, const uint8_t* residualData, void* y,
                      int32_t* accumulators) {
  if (g.groups != 1) throw std::invalid_argument("qconv2d: groups must be 1");
  const int64_t outH = g.outH(h), outW = g.outW(w), perChannel = g.cin * g.kh * g.kw;
  std::vector<int8_t> wq(g.cout * perChannel);
  std::vector<float> wScale(g.cout);
  quantizeWeightsPerChannel(weights, g.cout, perChannel, qmax, wq.data(), wScale.data());
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t oc = 0; oc < g.cout; ++oc) {
      const float scale = input.scale * wScale[oc], bc = bias ? bias[oc] : 0.f;
      for (int64_t oy = 0; oy < outH; ++oy)
        for (int64_t ox = 0; ox < outW; ++ox) {
          int32_t acc = 0;
          for (int64_t ic = 0; ic < g.cin; ++ic)
            for (int64_t ky = 0; ky < g.kh; ++ky) {
              const int64_t iy = oy * g.strideH - g.padTop + ky * g.dilationH;
              if (iy < 0 || iy >= h) continue;
              for (int64_t kx = 0; kx < g.kw; ++kx) {
                const int64_t ix = ox * g.strideW - g.padLeft + kx * g.dilationW;
                if (ix < 0 || ix >= w) continue;
                acc += (int32_t(x[((b * g.cin + ic) * h + iy) * w + ix]) - input.zeroPoint) *
                       int32_t(wq[((oc * g.cin + ic) * g.kh + ky) * g.kw + kx]);
              }
            }
          const int64_t at = ((b * g.cout + oc) * outH + oy) * outW + ox;
          if (accumulators) accumulators[at] = acc;
          if (output.isInt32) {
            static_cast<int32_t*>(y)[at] = acc;
            continue;
          }
          float v = activateScalar(float(acc) * scale + bc, epilogue);
          if (residual.present)
            v = v + float(int32_t(residualData[at]) - residual.quant.zeroPoint) * residual.quant.scale;
          if (output.isFloat) {
            static_cast<float*>(y)[at] = v;
          } else {
            const float q = std::nearbyint(v / output.quant.scale) + float(output.quant.zeroPoint);
            static_cast<uint8_t*>(y)[at] = static_cast<uint8_t>(std::min(std::max(q, 0.f), 255.f));
          }
        }
    }
}

}  // namespace kiln
