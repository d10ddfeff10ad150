#include "kernels/depthwise_conv2d.h"

#include <stdexcept>

#include "kernels/activation_apply.h"

namespace kiln {
namespace detail {
namespace scalar {
#include "kernels/depthwise_conv2d_impl.h"
}  // namespace scalar
void depthwisePlaneScalar(const DepthwisePlane& p, const ConvGeometry& g) { scalar::depthwisePlane(p, g); }
}  // namespace detail

DepthwiseConv2d::DepthwiseConv2d(Isa isa, const ConvGeometry& geometry, const float* weights, const float* bias, const Epilogue& epilogue)
    : isa_(isa), g_(geometry), epilogue_(epilogue) {
  if (!isDepthwise(geometry) || !weights) throw std::invalid_argument("not a depthwise convolution");
  weights_.assign(weights, weights + geometry.cout * geometry.kh * geometry.kw);
  bias_.assign(geometry.cout, 0.f);
  if (bias) bias_.assign(bias, bias + geometry.cout);
}

void DepthwiseConv2d::run(const float* x, int64_t batch, int64_t h, int64_t w, float* y, ThreadPool& pool) const {
  const int64_t oh = g_.outH(h), ow = g_.outW(w), channels = g_.cout, planes = batch * channels;
  auto plane = isa_ == Isa::Avx512 ? detail::depthwisePlaneAvx512 : isa_ == Isa::Avx2 ? detail::depthwisePlaneAvx2 : detail::depthwisePlaneScalar;
  const int64_t tasks = std::min<int64_t>(planes, pool.size() * 8);
  pool.parallelFor(tasks, [&](int64_t task, int) {
    for (int64_t i = planes * task / tasks; i < planes * (task + 1) / tasks; ++i) {
      const int64_t c = i % channels;
      DepthwisePlane p{x + i * h * w, h, w, y + i * oh * ow, oh, ow, weights_.data() + c * g_.kh * g_.kw, bias_[c]};
      plane(p, g_);
      if (epilogue_.act != Activation::None) applyActivation(isa_, p.y, oh * ow, epilogue_);
    }
  });
}

}  // namespace kiln
