#include "kernels/quantize.h"

#include <algorithm>
#include <cmath>

namespace kiln {
namespace {

template <typename T, int Lo, int Hi>
void quantize(const float* x, int64_t count, QuantParams q, T* y) {
  const float inverse = 1.f / q.scale;
  for (int64_t i = 0; i < count; ++i) {
    const float v = std::nearbyint(x[i] * inverse) + static_cast<float>(q.zeroPoint);
    y[i] = static_cast<T>(std::min(std::max(v, static_cast<float>(Lo)), static_cast<float>(Hi)));
  }
}

template <typename T>
void dequantize(const T* q, int64_t count, QuantParams p, float* x) {
  for (int64_t i = 0; i < count; ++i) x[i] = static_cast<float>(static_cast<int32_t>(q[i]) - p.zeroPoint) * p.scale;
}

}  // namespace

void quantizeToU8Scalar(const float* x, int64_t count, QuantParams q, uint8_t* y) { quantize<uint8_t, 0, 255>(x, count, q, y); }
void dequantizeU8Scalar(const uint8_t* q, int64_t count, QuantParams p, float* x) { dequantize(q, count, p, x); }

void quantizeToU8(Isa isa, const float* x, int64_t count, QuantParams q, uint8_t* y) {
  if (isa == Isa::Scalar) quantizeToU8Scalar(x, count, q, y);
  else detail::quantizeToU8Avx2(x, count, q, y);
}
void dequantizeU8(Isa isa, const uint8_t* q, int64_t count, QuantParams p, float* x) {
  if (isa == Isa::Scalar) dequantizeU8Scalar(q, count, p, x);
  else detail::dequantizeU8Avx2(q, count, p, x);
}
void quantizeToS8(const float* x, int64_t count, QuantParams q, int8_t* y) { quantize<int8_t, -128, 127>(x, count, q, y); }
void dequantizeS8(const int8_t* q, int64_t count, QuantParams p, float* x) { dequantize(q, count, p, x); }

}  // namespace kiln
