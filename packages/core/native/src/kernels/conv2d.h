#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "kernels/activation.h"
#include "runtime/cpu_features.h"
#include "runtime/thread_pool.h"

namespace kiln {

// A 2-D convolution over NCHW float32 tensors. Weights are [cout, cin / groups, kh, kw].
struct ConvGeometry {
  int64_t cin = 0, cout = 0, groups = 1;
  int64_t kh = 1, kw = 1;
  int64_t strideH = 1, strideW = 1;
  int64_t padTop = 0, padLeft = 0, padBottom = 0, padRight = 0;
  int64_t dilationH = 1, dilationW = 1;

  int64_t outH(int64_t h) const { return (h + padTop + padBottom - dilationH * (kh - 1) - 1) / strideH + 1; }
  int64_t outW(int64_t w) const { return (w + padLeft + padRight - dilationW * (kw - 1) - 1) / strideW + 1; }
};

// 1x1, stride 1, no padding, dilation 1 (any groups): each output pixel reads only its own input pixel.
inline bool isPointwiseWindow(const ConvGeometry& g) {
  return g.kh == 1 && g.kw == 1 && g.strideH == 1 && g.strideW == 1 && g.padTop == 0 && g.padLeft == 0 &&
         g.padBottom == 0 && g.padRight == 0 && g.dilationH == 1 && g.dilationW == 1;
}

// The algorithms (tactics) a convolution can run with. Not every one applies to every geometry.
enum class ConvAlgo : int {
  ImplicitGemm = 0,  // any geometry: the input is gathered (im2col) into packed GEMM panels
  Pointwise = 1,     // 1x1, stride 1, no padding: the input is the GEMM's right-hand matrix
  SpaceToDepth = 2,  // stride 2, dilation 1, a kernel wider than 1x1: the input is first split
                     // into its four (row, column) parity planes (space-to-depth), so that the
                     // GEMM panels are gathered by unit-stride copies with no padding tests
  DirectRows = 3,    // stride 1, dilation 1, a kernel wider than 1x1: the input rows each tile needs
                     // are copied with their zero padding, and the GEMM reads its panels in place
  Winograd = 4,      // one group, 3x3, stride 1, dilation 1: Winograd F(4x4, 3x3), 36 GEMMs over
                     // transformed 6x6 input tiles (fewer multiply-adds, a little more rounding)
  PointwiseTransposed = 5,  // pointwise with one group, computed as Y^T = X^T W^T: the output
                            // channels fill the GEMM panels, not a small map's few pixels
  ImplicitGemmTransposed = 6,  // any other window with one group, transposed the same way: for small
                               // maps (ResNet's 7x7 512-channel layers) whose pixels fill no panel
};
const char* convAlgoName(ConvAlgo algo);

// The algorithms that apply to this geometry on this ISA, the generally-fastest first.
std::vector<ConvAlgo> convAlgorithms(const ConvGeometry& geometry, Isa isa);

// A convolution with its weights packed once for one algorithm and ISA.
class Conv2dKernel {
 public:
  virtual ~Conv2dKernel() = default;
  // bias may be null. Throws std::invalid_argument if the algorithm does not apply.
  static std::unique_ptr<Conv2dKernel> create(ConvAlgo algo, Isa isa, const ConvGeometry& geometry,
                                              const float* weights, const float* bias,
                                              const Epilogue& epilogue);
  // Scratch memory run() needs for this input size with this many threads.
  virtual size_t workspaceBytes(int64_t batch, int64_t h, int64_t w, int threads) const = 0;
  // x: [batch, cin, h, w]; y: [batch, cout, outH(h), outW(w)]. workspace: workspaceBytes() bytes,
  // 64-byte aligned. residual: null, or a tensor shaped like y (not overlapping it) added to each
  // output after the activation (a fused residual Add). Deterministic for a given pool size.
  virtual void run(const float* x, int64_t batch, int64_t h, int64_t w, const float* residual, float* y,
                   void* workspace, ThreadPool& pool) const = 0;
  void run(const float* x, int64_t batch, int64_t h, int64_t w, float* y, void* workspace, ThreadPool& pool) const {
    run(x, batch, h, w, nullptr, y, workspace, pool);
  }
};

// The plain reference every kernel is tested against.
void conv2dReference(const ConvGeometry& geometry, const float* x, int64_t batch, int64_t h, int64_t w,
                     const float* weights, const float* bias, const Epilogue& epilogue, float* y);

}  // namespace kiln
