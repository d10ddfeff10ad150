// AVX2+FMA micro-kernel: 6 rows x 16 columns, 12 ymm accumulators. Reached only through
// gemmKernel(Isa::Avx2). No standard-library templates here: an inline instance compiled with AVX2
// could be the one the linker keeps for the baseline code too.
#include <immintrin.h>

#include "kernels/activation_avx2.h"
#include "kernels/gemm_kernel.h"

namespace kiln::gemm {
namespace {

constexpr int MR = 6;
constexpr int NR = 16;

alignas(32) const int32_t kMaskTable[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};

// Lanes [0, n) set, n in [0, 8].
inline __m256i laneMask(int n) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kMaskTable + 8 - n)); }

// Indirect: row p of B is at b + t.bRows[p] instead of b + p * NR.
template <int R, bool Indirect>
void tile(const float* a, const float* b, int64_t k, float* c, int64_t ldc, int cols, const MacroTile& t,
          const float* bias, const avx2::Act& act) {
  __m256 c0[R], c1[R];
  const bool full = cols == NR;
  const __m256i m0 = laneMask(cols < 8 ? cols : 8), m1 = laneMask(cols > 8 ? cols - 8 : 0);
  if (t.accumulate) {
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      const float* cr = c + r * ldc;
      c0[r] = full ? _mm256_loadu_ps(cr) : _mm256_maskload_ps(cr, m0);
      c1[r] = full ? _mm256_loadu_ps(cr + 8) : _mm256_maskload_ps(cr + 8, m1);
    }
  } else {
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) c0[r] = c1[r] = _mm256_setzero_ps();
  }
#pragma GCC unroll 2
  for (int64_t p = 0; p < k; ++p) {
    const float* bp = Indirect ? b + t.bRows[p] : b;
    const __m256 b0 = _mm256_loadu_ps(bp), b1 = _mm256_loadu_ps(bp + 8);
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      const __m256 ar = _mm256_broadcast_ss(a + r);
      c0[r] = _mm256_fmadd_ps(ar, b0, c0[r]);
      c1[r] = _mm256_fmadd_ps(ar, b1, c1[r]);
    }
    a += MR;
    if (!Indirect) b += NR;
  }
  if (t.last) {
    if (bias) {
#pragma GCC unroll 16
      for (int r = 0; r < R; ++r) {
        const __m256 br = _mm256_set1_ps(bias[r]);
        c0[r] = _mm256_add_ps(c0[r], br);
        c1[r] = _mm256_add_ps(c1[r], br);
      }
    }
    const auto activate = [&] {
      if (act.act == Activation::None) return;
      alignas(64) float buf[2 * R * 8];
#pragma GCC unroll 16
      for (int r = 0; r < R; ++r) {
        _mm256_store_ps(buf + 2 * r * 8, c0[r]);
        _mm256_store_ps(buf + (2 * r + 1) * 8, c1[r]);
      }
      act.applyVectors(buf, 2 * R);
#pragma GCC unroll 16
      for (int r = 0; r < R; ++r) {
        c0[r] = _mm256_load_ps(buf + 2 * r * 8);
        c1[r] = _mm256_load_ps(buf + (2 * r + 1) * 8);
      }
    };
    const bool actLast = t.residual && t.epilogue.afterResidual;
    if (!actLast) activate();
    if (t.residual) {
      const float* res = t.residual + (c - t.c);
#pragma GCC unroll 16
      for (int r = 0; r < R; ++r) {
        const float* rr = res + r * ldc;
        c0[r] = _mm256_add_ps(c0[r], full ? _mm256_loadu_ps(rr) : _mm256_maskload_ps(rr, m0));
        c1[r] = _mm256_add_ps(c1[r], full ? _mm256_loadu_ps(rr + 8) : _mm256_maskload_ps(rr + 8, m1));
      }
    }
    if (actLast) activate();
  }
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
    float* cr = c + r * ldc;
    if (full) {
      _mm256_storeu_ps(cr, c0[r]);
      _mm256_storeu_ps(cr + 8, c1[r]);
    } else {
      _mm256_maskstore_ps(cr, m0, c0[r]);
      _mm256_maskstore_ps(cr + 8, m1, c1[r]);
    }
  }
}

using TileFn = void (*)(const float*, const float*, int64_t, float*, int64_t, int, const MacroTile&,
                        const float*, const avx2::Act&);
constexpr TileFn kTiles[MR + 1] = {nullptr, tile<1, false>, tile<2, false>, tile<3, false>, tile<4, false>,
                                   tile<5, false>, tile<6, false>};
constexpr TileFn kTilesIndirect[MR + 1] = {nullptr, tile<1, true>, tile<2, true>, tile<3, true>,
                                           tile<4, true>, tile<5, true>, tile<6, true>};

void macro(const MacroTile& t) {
  const avx2::Act act(t.epilogue);
  for (int64_t i = 0; i < t.m; i += MR) {
    const int rows = t.m - i < MR ? static_cast<int>(t.m - i) : MR;
    const float* a = t.a + (i / MR) * t.aPanelStride;
    const float* bias = t.bias ? t.bias + i : nullptr;
    const TileFn fn = (t.bRows ? kTilesIndirect : kTiles)[rows];
    for (int64_t j = 0; j < t.n; j += NR) {
      const int cols = t.n - j < NR ? static_cast<int>(t.n - j) : NR;
      fn(a, t.b + (j / NR) * t.bPanelStride, t.k, t.c + i * t.ldc + j, t.ldc, cols, t, bias, act);
    }
  }
}

// Two B rows per step, each into its own pair of accumulators; B streams front to back, which the
// hardware prefetcher follows (software prefetches measured slower).
void gemv(const float* x, const float* b, int64_t k, int64_t panels, float* y, int64_t n) {
  for (int64_t panel = 0; panel < panels; ++panel, b += k * NR, y += NR, n -= NR) {
    __m256 even0 = _mm256_setzero_ps(), even1 = _mm256_setzero_ps();
    __m256 odd0 = _mm256_setzero_ps(), odd1 = _mm256_setzero_ps();
    int64_t p = 0;
    for (; p + 2 <= k; p += 2) {
      const float* row = b + p * NR;
      const __m256 x0 = _mm256_set1_ps(x[p]), x1 = _mm256_set1_ps(x[p + 1]);
      even0 = _mm256_fmadd_ps(x0, _mm256_loadu_ps(row), even0);
      even1 = _mm256_fmadd_ps(x0, _mm256_loadu_ps(row + 8), even1);
      odd0 = _mm256_fmadd_ps(x1, _mm256_loadu_ps(row + 16), odd0);
      odd1 = _mm256_fmadd_ps(x1, _mm256_loadu_ps(row + 24), odd1);
    }
    if (p < k) {
      const __m256 x0 = _mm256_set1_ps(x[p]);
      even0 = _mm256_fmadd_ps(x0, _mm256_loadu_ps(b + p * NR), even0);
      even1 = _mm256_fmadd_ps(x0, _mm256_loadu_ps(b + p * NR + 8), even1);
    }
    const int cols = n < NR ? static_cast<int>(n) : NR;
    const __m256 y0 = _mm256_add_ps(even0, odd0), y1 = _mm256_add_ps(even1, odd1);
    _mm256_maskstore_ps(y, laneMask(cols < 8 ? cols : 8), y0);
    _mm256_maskstore_ps(y + 8, laneMask(cols > 8 ? cols - 8 : 0), y1);
  }
}

}  // namespace

const GemmKernel& gemmKernelAvx2() {
  static const GemmKernel kernel{Isa::Avx2, MR, NR, 256, 256, macro, gemv};
  return kernel;
}

}  // namespace kiln::gemm
