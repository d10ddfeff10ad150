// The portable micro-kernel: plain loops over a small register block that the compiler vectorizes
// for the baseline (SSE2) target.
#include <algorithm>

#include "kernels/activation_scalar.h"
#include "kernels/gemm_kernel.h"

namespace kiln::gemm {
namespace {

constexpr int MR = 4;
constexpr int NR = 8;

// Indirect: row p of B is at b + t.bRows[p] instead of b + p * NR.
template <int R, bool Indirect>
void tile(const float* a, const float* b, int64_t k, float* c, int64_t ldc, int cols, const MacroTile& t,
          const float* bias) {
  float acc[R][NR];
  for (int r = 0; r < R; ++r)
    for (int j = 0; j < NR; ++j) acc[r][j] = (t.accumulate && j < cols) ? c[r * ldc + j] : 0.f;
  for (int64_t p = 0; p < k; ++p) {
    const float* bp = Indirect ? b + t.bRows[p] : b;
    for (int r = 0; r < R; ++r) {
      const float ar = a[r];
      for (int j = 0; j < NR; ++j) acc[r][j] += ar * bp[j];
    }
    a += MR;
    if (!Indirect) b += NR;
  }
  if (t.last) {
    const bool actLast = t.residual && t.epilogue.afterResidual;
    for (int r = 0; r < R; ++r) {
      const float br = bias ? bias[r] : 0.f;
      for (int j = 0; j < NR; ++j) acc[r][j] = actLast ? acc[r][j] + br : activateScalar(acc[r][j] + br, t.epilogue);
    }
    if (t.residual) {
      const float* res = t.residual + (c - t.c);
      for (int r = 0; r < R; ++r)
        for (int j = 0; j < cols; ++j) acc[r][j] += res[r * ldc + j];
    }
    if (actLast)
      for (int r = 0; r < R; ++r)
        for (int j = 0; j < NR; ++j) acc[r][j] = activateScalar(acc[r][j], t.epilogue);
  }
  for (int r = 0; r < R; ++r)
    for (int j = 0; j < cols; ++j) c[r * ldc + j] = acc[r][j];
}

using TileFn = void (*)(const float*, const float*, int64_t, float*, int64_t, int, const MacroTile&,
                        const float*);
constexpr TileFn kTiles[MR + 1] = {nullptr, tile<1, false>, tile<2, false>, tile<3, false>, tile<4, false>};
constexpr TileFn kTilesIndirect[MR + 1] = {nullptr, tile<1, true>, tile<2, true>, tile<3, true>,
                                           tile<4, true>};

void macro(const MacroTile& t) {
  for (int64_t i = 0; i < t.m; i += MR) {
    const int rows = static_cast<int>(std::min<int64_t>(MR, t.m - i));
    const float* a = t.a + (i / MR) * t.aPanelStride;
    const float* bias = t.bias ? t.bias + i : nullptr;
    const TileFn fn = (t.bRows ? kTilesIndirect : kTiles)[rows];
    for (int64_t j = 0; j < t.n; j += NR) {
      const int cols = static_cast<int>(std::min<int64_t>(NR, t.n - j));
      fn(a, t.b + (j / NR) * t.bPanelStride, t.k, t.c + i * t.ldc + j, t.ldc, cols, t, bias);
    }
  }
}

void gemv(const float* x, const float* b, int64_t k, int64_t panels, float* y, int64_t n) {
  for (int64_t panel = 0; panel < panels; ++panel, b += k * NR, y += NR, n -= NR) {
    float acc[NR] = {};
    for (int64_t p = 0; p < k; ++p)
      for (int j = 0; j < NR; ++j) acc[j] += x[p] * b[p * NR + j];
    for (int j = 0; j < NR && j < n; ++j) y[j] = acc[j];
  }
}

}  // namespace

const GemmKernel& gemmKernelScalar() {
  static const GemmKernel kernel{Isa::Scalar, MR, NR, 256, 256, macro, gemv};
  return kernel;
}

}  // namespace kiln::gemm
