#pragma once
#include <cstdint>

#include "kernels/qconv2d.h"
#include "runtime/cpu_features.h"

namespace kiln {

// q = clamp(nearbyint(x / scale) + zeroPoint, 0, 255) (ONNX QuantizeLinear, ties to even), with
// the vector code of `isa`.
void quantizeToU8(Isa isa, const float* x, int64_t count, QuantParams q, uint8_t* y);
// q = clamp(nearbyint(x / scale) + zeroPoint, -128, 127).
void quantizeToS8(const float* x, int64_t count, QuantParams q, int8_t* y);
// x = (q - zeroPoint) * scale.
void dequantizeU8(Isa isa, const uint8_t* q, int64_t count, QuantParams p, float* x);
void dequantizeS8(const int8_t* q, int64_t count, QuantParams p, float* x);

void quantizeToU8Scalar(const float* x, int64_t count, QuantParams q, uint8_t* y);
void dequantizeU8Scalar(const uint8_t* q, int64_t count, QuantParams p, float* x);
namespace detail {
void quantizeToU8Avx2(const float* x, int64_t count, QuantParams q, uint8_t* y);
void dequantizeU8Avx2(const uint8_t* q, int64_t count, QuantParams p, float* x);
}  // namespace detail

}  // namespace kiln
