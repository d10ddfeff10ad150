#pragma once
#include <cstdint>
#include <vector>

#include "kernels/activation.h"
#include "kernels/conv2d.h"
#include "kernels/phase_planes.h"
#include "runtime/cpu_features.h"
#include "runtime/thread_pool.h"

namespace kiln {

// Whether a convolution is depthwise with one filter per channel (groups = cin = cout).
inline bool isDepthwise(const ConvGeometry& g) { return g.groups > 1 && g.groups == g.cin && g.groups == g.cout; }

// A direct depthwise convolution over NCHW float32: each output row accumulates kh·kw scaled input
// rows (contiguous at stride 1), then gets bias and activation. Weights are [c, 1, kh, kw].
class DepthwiseConv2d {
 public:
  DepthwiseConv2d(Isa isa, const ConvGeometry& geometry, const float* weights, const float* bias, const Epilogue& epilogue);
  // Scratch memory run() needs for this input size with this many threads.
  size_t workspaceBytes(int64_t h, int64_t w, int threads) const;
  // workspace: workspaceBytes() bytes, 64-byte aligned.
  void run(const float* x, int64_t batch, int64_t h, int64_t w, float* y, void* workspace, ThreadPool& pool) const;

 private:
  Isa isa_;
  ConvGeometry g_;
  std::vector<float> weights_, bias_;
  Epilogue epilogue_;
};

// One plane of the kernel, compiled once per ISA (depthwise_conv2d_impl.h).
struct DepthwisePlane {
  const float* x;
  int64_t h, w;
  float* y;
  int64_t oh, ow;
  const float* weights;  // kh·kw
  float bias;
  // ReLU and Clip: outputs clamped to [lo, hi] on the way out (NaN to lo, as the vector max does);
  // other activations are a separate pass.
  bool clamp;
  float lo, hi;
};

// The phase planes (phase_planes.h) of a stride-1 or stride-2, dilation-1 depthwise plane; all zero
// for any other geometry, which runs row by row.
PhasePlaneDims depthwisePhaseDims(const ConvGeometry& g, int64_t oh, int64_t ow);

// Whether the plane runs as a 3x3 window at stride 1 or 2 straight from the input rows (AVX2 and
// AVX-512: masked loads read the padding as zero), with no phase planes.
bool depthwiseDirect3x3(Isa isa, const ConvGeometry& g);

namespace detail {
void depthwisePlaneScalar(const DepthwisePlane& p, const ConvGeometry& g, float* scratch);
void depthwisePlaneAvx2(const DepthwisePlane& p, const ConvGeometry& g, float* scratch);
void depthwisePlaneAvx512(const DepthwisePlane& p, const ConvGeometry& g, float* scratch);
}  // namespace detail

}  // namespace kiln
