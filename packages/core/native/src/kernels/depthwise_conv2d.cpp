#include "kernels/depthwise_conv2d.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "kernels/activation_apply.h"
#include "kernels/window3x3.h"

namespace kiln {
namespace detail {
namespace scalar {
#include "kernels/depthwise_conv2d_impl.h"
}  // namespace scalar
void depthwisePlaneScalar(const DepthwisePlane& p, const ConvGeometry& g, float* scratch) { scalar::depthwisePlane(p, g, scratch); }
}  // namespace detail

PhasePlaneDims depthwisePhaseDims(const ConvGeometry& g, int64_t oh, int64_t ow) {
  const int64_t s = g.strideH;
  if (g.dilationH != 1 || g.dilationW != 1 || s != g.strideW || (s != 1 && s != 2) || oh <= 0 || ow <= 0) return {};
  return phasePlaneDims(g.kh, g.kw, s, oh, ow);
}

bool depthwiseDirect3x3(Isa isa, const ConvGeometry& g) {
  return window3x3Applies(isa, g.kh, g.kw, g.strideH, g.strideW, g.dilationH, g.dilationW);
}

DepthwiseConv2d::DepthwiseConv2d(Isa isa, const ConvGeometry& geometry, const float* weights, const float* bias, const Epilogue& epilogue)
    : isa_(isa), g_(geometry), epilogue_(epilogue) {
  if (!isDepthwise(geometry) || !weights) throw std::invalid_argument("not a depthwise convolution");
  weights_.assign(weights, weights + geometry.cout * geometry.kh * geometry.kw);
  bias_.assign(geometry.cout, 0.f);
  if (bias) bias_.assign(bias, bias + geometry.cout);
}

size_t DepthwiseConv2d::workspaceBytes(int64_t h, int64_t w, int threads) const {
  if (depthwiseDirect3x3(isa_, g_)) return 0;
  const PhasePlaneDims d = depthwisePhaseDims(g_, g_.outH(h), g_.outW(w));
  const int64_t perThread = d.phaseFloats ? d.accFloats + g_.strideH * g_.strideW * d.phaseFloats : 0;
  return static_cast<size_t>(perThread) * sizeof(float) * static_cast<size_t>(std::max(threads, 1));
}

void DepthwiseConv2d::run(const float* x, int64_t batch, int64_t h, int64_t w, float* y, void* workspace, ThreadPool& pool) const {
  const int64_t oh = g_.outH(h), ow = g_.outW(w), channels = g_.cout, planes = batch * channels;
  if (oh <= 0 || ow <= 0 || planes <= 0) return;
  auto plane = isa_ == Isa::Avx512 ? detail::depthwisePlaneAvx512 : isa_ == Isa::Avx2 ? detail::depthwisePlaneAvx2 : detail::depthwisePlaneScalar;
  const bool direct = depthwiseDirect3x3(isa_, g_);
  const PhasePlaneDims d = direct ? PhasePlaneDims{} : depthwisePhaseDims(g_, oh, ow);
  const int64_t scratchFloats = d.phaseFloats ? d.accFloats + g_.strideH * g_.strideW * d.phaseFloats : 0;
  // ReLU and Clip are a clamp on the way out of the plane; other activations a pass after it.
  const bool clamp = epilogue_.act == Activation::Relu || epilogue_.act == Activation::Clip;
  const float lo = epilogue_.act == Activation::Clip ? epilogue_.alpha : 0.f;
  const float hi = epilogue_.act == Activation::Clip ? epilogue_.beta : std::numeric_limits<float>::infinity();
  const int64_t tasks = std::min<int64_t>(planes, pool.size() * 8);
  pool.parallelFor(tasks, [&](int64_t task, int thread) {
    float* scratch = static_cast<float*>(workspace) + scratchFloats * thread;
    // The phase planes' padding: zeroed once per task, the planes then only overwrite input cells.
    if (scratchFloats) std::fill(scratch + d.accFloats, scratch + scratchFloats, 0.f);
    const int64_t begin = planes * task / tasks, end = planes * (task + 1) / tasks;
    if (direct) {
      // The task's planes in one run: a small map's setup is paid once.
      depthwisePlanes3x3(isa_, {x + begin * h * w, h, w, y + begin * oh * ow, oh, ow, g_.strideH, g_.padTop, g_.padLeft, clamp, lo, hi},
                         {end - begin, begin % channels, channels, weights_.data(), bias_.data()});
      if (!clamp && epilogue_.act != Activation::None)
        applyActivation(isa_, y + begin * oh * ow, (end - begin) * oh * ow, epilogue_);
      return;
    }
    for (int64_t i = begin; i < end; ++i) {
      const int64_t c = i % channels;
      DepthwisePlane p{x + i * h * w, h, w, y + i * oh * ow, oh, ow, weights_.data() + c * g_.kh * g_.kw, bias_[c], clamp, lo, hi};
      plane(p, g_, scratch);
      if (!clamp && epilogue_.act != Activation::None) applyActivation(isa_, p.y, oh * ow, epilogue_);
    }
  });
}

}  // namespace kiln
