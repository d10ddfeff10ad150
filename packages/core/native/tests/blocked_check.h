#pragma once
// What the blocked kernel tests share: the plain NCHW reference, blocked buffers with a guard band
// and the comparison of a blocked output with an NCHW expectation.
#include <algorithm>
#include <cmath>
#include <vector>

#include "check.h"
#include "kernels/activation_apply.h"
#include "kernels/blocked_conv.h"
#include "kernels/conv2d.h"

namespace kiln::blocked_check {

constexpr float kGuard = -1234.f;

// y = epilogue(conv(x)) with the residual, on NCHW tensors: the plain reference.
inline std::vector<float> reference(const ConvGeometry& g, const std::vector<float>& x, int64_t batch, int64_t h, int64_t w,
                             const std::vector<float>& weights, const std::vector<float>& bias, const Epilogue& epilogue,
                             const std::vector<float>* residual) {
  std::vector<float> y(batch * g.cout * g.outH(h) * g.outW(w));
  const Epilogue first = residual && epilogue.afterResidual ? Epilogue{} : epilogue;
  conv2dReference(g, x.data(), batch, h, w, weights.data(), bias.data(), first, y.data());
  if (residual) {
    for (size_t i = 0; i < y.size(); ++i) y[i] += (*residual)[i];
    if (epilogue.afterResidual && epilogue.act != Activation::None)
      applyActivation(Isa::Scalar, y.data(), static_cast<int64_t>(y.size()), epilogue);
  }
  return y;
}

// Blocked storage with a guard band after it.
inline std::vector<float> blockedBuffer(int64_t n, int64_t c, int64_t plane) {
  return std::vector<float>(n * blocked::blocks(c) * blocked::kBlock * plane + 64, kGuard);
}

inline bool guardIntact(const std::vector<float>& v) {
  for (size_t i = v.size() - 64; i < v.size(); ++i)
    if (v[i] != kGuard) return false;
  return true;
}

// Compares NCHW `expected` with blocked `y` and checks the padded lanes past c are zero unless the
// activation maps zero elsewhere.
inline double compare(const std::vector<float>& expected, const std::vector<float>& y, int64_t n, int64_t c, int64_t plane,
               ThreadPool& pool, const char* what, Isa isa, int threads, double tolerance = 2e-5) {
  std::vector<float> back(n * c * plane);
  blocked::fromBlocked(isa, y.data(), n, c, plane, back.data(), pool);
  double worst = 0;
  for (size_t i = 0; i < back.size(); ++i) {
    const double err = std::fabs(back[i] - expected[i]);
    worst = std::max(worst, err);
    if (!(err <= tolerance * (1 + std::fabs(expected[i])))) {
      KT_CHECK(false, "%s (%s, %d threads): y[%zu] = %g, expected %g", what, isaName(isa), threads, i, back[i], expected[i]);
      break;
    }
  }
  KT_CHECK(guardIntact(y), "%s (%s, %d threads): wrote past the output", what, isaName(isa), threads);
  return worst;
}

// Runs a blocked convolution taking (x, batch, h, w, residual, y, workspace, pool) on x and the
// residual (or null) in the blocked layout and compares its output with the NCHW `expected`.
template <typename Kernel>
double checkBlockedRun(const Kernel& kernel, size_t workspaceBytes, const ConvGeometry& g, const std::vector<float>& x,
                       int64_t batch, int64_t h, int64_t w, const std::vector<float>* residual,
                       const std::vector<float>& expected, ThreadPool& pool, const char* what, Isa isa, int threads,
                       double tolerance) {
  const int64_t plane = g.outH(h) * g.outW(w);
  std::vector<float> xb = blockedBuffer(batch, g.cin, h * w), rb = blockedBuffer(batch, g.cout, plane),
                     yb = blockedBuffer(batch, g.cout, plane), ws(workspaceBytes / sizeof(float) + 16);
  blocked::toBlocked(isa, x.data(), batch, g.cin, h * w, xb.data(), pool);
  if (residual) blocked::toBlocked(isa, residual->data(), batch, g.cout, plane, rb.data(), pool);
  kernel.run(xb.data(), batch, h, w, residual ? rb.data() : nullptr, yb.data(), ws.data(), pool);
  return compare(expected, yb, batch, g.cout, plane, pool, what, isa, threads, tolerance);
}

}  // namespace kiln::blocked_check
