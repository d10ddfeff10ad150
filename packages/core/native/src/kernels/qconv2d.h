#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>

#include "kernels/activation.h"
#include "kernels/conv2d.h"
#include "runtime/cpu_features.h"
#include "runtime/thread_pool.h"

// INT8 convolution: u8 activations (asymmetric, one scale and zero point per tensor) times s8
// weights (symmetric, one scale per output channel), int32 accumulation, then a float epilogue:
//   acc_c = sum (x_q - x_zp) * w_q                      (exact int32)
//   v     = act(float(acc_c) * (x_scale * w_scale_c) + bias_c)  [+ r_scale * (r_q - r_zp)]
//   y     = v as float, or clamp(nearbyint(v / y_scale) + y_zp, 0, 255) as u8.
// Padded taps hold x_zp (they contribute nothing), as ONNX QLinearConv pads do.
namespace kiln {

// real = scale * (q - zeroPoint)
struct QuantParams {
  float scale = 1.f;
  int32_t zeroPoint = 0;
};

// The integer instruction paths, slowest first.
enum class Int8Path : int { Scalar = 0, Avx2 = 1, AvxVnni = 2, Avx512Vnni = 3, Amx = 4 };
const char* int8PathName(Int8Path path);
bool parseInt8Path(const char* name, Int8Path* out);
bool int8PathSupported(Int8Path path);
// The fastest path this CPU has within `isa`, or the one KILN_INT8 names when supported.
Int8Path int8PathFor(Isa isa);
// VNNI and AMX multiply u8 by s8 natively; Scalar and AVX2 do not (INT8 is then no faster).
bool int8PathIsFast(Int8Path path);
// The largest weight magnitude a path can take (127 on every path: the AVX2 kernel avoids
// vpmaddubsw's int16 saturation by shifting activations to s8, see qgemm_avx2.cpp).
int int8WeightMax(Int8Path path);

// Per-output-channel symmetric quantization: scale_c = max|w_c| / qmax (1 for an all-zero
// channel), w_q = clamp(nearbyint(w / scale_c), -qmax, qmax). weights: [cout, perChannel].
void quantizeWeightsPerChannel(const float* weights, int64_t cout, int64_t perChannel, int qmax, int8_t* quantized,
                               float* scales);

struct QConvOutput {
  bool isFloat = false;   // write float32 (dequantized) instead of u8
  bool isInt32 = false;   // write the exact int32 accumulators instead (ONNX ConvInteger; no bias,
                          // activation or residual)
  QuantParams quant;      // the u8 output's parameters (unused when isFloat)
};

// An optional residual added after the activation (y = act(conv) + residual), u8 of the output's
// shape with its own parameters.
struct QResidual {
  bool present = false;
  QuantParams quant;
};

class QConv2dKernel {
 public:
  virtual ~QConv2dKernel() = default;
  // groups must be 1. weights [cout, cin, kh, kw] float32 (quantized here), bias may be null.
  static std::unique_ptr<QConv2dKernel> create(Int8Path path, const ConvGeometry& geometry, const float* weights,
                                               const float* bias, const Epilogue& epilogue, QuantParams input,
                                               const QConvOutput& output, const QResidual& residual = {});
  virtual size_t workspaceBytes(int64_t batch, int64_t h, int64_t w, int threads) const = 0;
  // x: [batch, cin, h, w] u8; y: [batch, cout, oh, ow] u8 or float32; residual: like y, u8, or null.
  virtual void run(const uint8_t* x, int64_t batch, int64_t h, int64_t w, void* y, const uint8_t* residual,
                   void* workspace, ThreadPool& pool) const = 0;
};

// The plain reference: the same quantized weights (quantizeWeightsPerChannel with qmax), exact
// int32 accumulation, the same epilogue. accumulators (optional): [batch, cout, oh, ow] int32
// sums before the epilogue, for exact tests.
void qconv2dReference(const ConvGeometry& geometry, int qmax, const uint8_t* x, int64_t batch, int64_t h, int64_t w,
                      const float* weights, const float* bias, const Epilogue& epilogue, QuantParams input,
                      const QConvOutput& output, const QResidual& residual, const uint8_t* residualData, void* y,
                      int32_t* accumulators = nullptr);

}  // namespace kiln
