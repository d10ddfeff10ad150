#pragma once
#include <cstdint>

#include "kernels/qconv2d.h"

namespace kiln {

// q = clamp(nearbyint(x / scale) + zeroPoint, 0, 255) (ONNX QuantizeLinear, ties to even).
void quantizeToU8(const float* x, int64_t count, QuantParams q, uint8_t* y);
// q = clamp(nearbyint(x / scale) + zeroPoint, -128, 127).
void quantizeToS8(const float* x, int64_t count, QuantParams q, int8_t* y);
// x = (q - zeroPoint) * scale.
void dequantizeU8(const uint8_t* q, int64_t count, QuantParams p, float* x);
void dequantizeS8(const int8_t* q, int64_t count, QuantParams p, float* x);

}  // namespace kiln
