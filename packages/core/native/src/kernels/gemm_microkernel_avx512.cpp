// AVX-512 micro-kernel: 12 rows x 32 columns, 24 zmm accumulators. Reached only through
// gemmKernel(Isa::Avx512). No standard-library templates here: an inline instance compiled with
// AVX-512 could be the one the linker keeps for the baseline code too.
#include <immintrin.h>

#include "kernels/activation_avx512.h"
#include "kernels/gemm_kernel.h"

namespace kiln::gemm {
namespace {

constexpr int MR = 12;
constexpr int NR = 32;

// Lanes [0, n) set, n clamped to [0, 16].
inline __mmask16 laneMask(int n) {
  return n >= 16 ? static_cast<__mmask16>(0xffff) : n <= 0 ? static_cast<__mmask16>(0)
                                                             : static_cast<__mmask16>((1u << n) - 1);
}

// Indirect: row p of B is at b + t.bRows[p] instead of b + p * NR.
template <int R, bool Indirect>
void tile(const float* a, const float* b, int64_t k, float* c, int64_t ldc, int cols, const MacroTile& t,
          const float* bias, const avx512::Act& act) {
  __m512 c0[R], c1[R];
  const __mmask16 m0 = laneMask(cols), m1 = laneMask(cols - 16);
  if (t.accumulate) {
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      const float* cr = c + r * ldc;
      c0[r] = _mm512_maskz_loadu_ps(m0, cr);
      c1[r] = _mm512_maskz_loadu_ps(m1, cr + 16);
    }
  } else {
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) c0[r] = c1[r] = _mm512_setzero_ps();
  }
#pragma GCC unroll 2
  for (int64_t p = 0; p < k; ++p) {
    const float* bp = Indirect ? b + t.bRows[p] : b;
    const __m512 b0 = _mm512_loadu_ps(bp), b1 = _mm512_loadu_ps(bp + 16);
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      const __m512 ar = _mm512_set1_ps(a[r]);
      c0[r] = _mm512_fmadd_ps(ar, b0, c0[r]);
      c1[r] = _mm512_fmadd_ps(ar, b1, c1[r]);
    }
    a += MR;
    if (!Indirect) b += NR;
  }
  if (t.last) {
    if (bias) {
#pragma GCC unroll 16
      for (int r = 0; r < R; ++r) {
        const __m512 br = _mm512_set1_ps(bias[r]);
        c0[r] = _mm512_add_ps(c0[r], br);
        c1[r] = _mm512_add_ps(c1[r], br);
      }
    }
    const auto activate = [&] {
      if (act.act == Activation::None) return;
      alignas(64) float buf[2 * R * 16];
#pragma GCC unroll 16
      for (int r = 0; r < R; ++r) {
        _mm512_store_ps(buf + 2 * r * 16, c0[r]);
        _mm512_store_ps(buf + (2 * r + 1) * 16, c1[r]);
      }
      act.applyVectors(buf, 2 * R);
#pragma GCC unroll 16
      for (int r = 0; r < R; ++r) {
        c0[r] = _mm512_load_ps(buf + 2 * r * 16);
        c1[r] = _mm512_load_ps(buf + (2 * r + 1) * 16);
      }
    };
    const bool actLast = t.residual && t.epilogue.afterResidual;
    if (!actLast) activate();
    if (t.residual) {
      const float* res = t.residual + (c - t.c);
#pragma GCC unroll 16
      for (int r = 0; r < R; ++r) {
        const float* rr = res + r * ldc;
        c0[r] = _mm512_add_ps(c0[r], _mm512_maskz_loadu_ps(m0, rr));
        c1[r] = _mm512_add_ps(c1[r], _mm512_maskz_loadu_ps(m1, rr + 16));
      }
    }
    if (actLast) activate();
  }
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
    float* cr = c + r * ldc;
    _mm512_mask_storeu_ps(cr, m0, c0[r]);
    _mm512_mask_storeu_ps(cr + 16, m1, c1[r]);
  }
}

using TileFn = void (*)(const float*, const float*, int64_t, float*, int64_t, int, const MacroTile&,
                        const float*, const avx512::Act&);
constexpr TileFn kTiles[MR + 1] = {nullptr, tile<1, false>, tile<2, false>, tile<3, false>, tile<4, false>,
                                   tile<5, false>, tile<6, false>, tile<7, false>, tile<8, false>,
                                   tile<9, false>, tile<10, false>, tile<11, false>, tile<12, false>};
constexpr TileFn kTilesIndirect[MR + 1] = {nullptr, tile<1, true>, tile<2, true>, tile<3, true>,
                                           tile<4, true>, tile<5, true>, tile<6, true>, tile<7, true>,
                                           tile<8, true>, tile<9, true>, tile<10, true>, tile<11, true>,
                                           tile<12, true>};

void macro(const MacroTile& t) {
  const avx512::Act act(t.epilogue);
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
    __m512 even0 = _mm512_setzero_ps(), even1 = _mm512_setzero_ps();
    __m512 odd0 = _mm512_setzero_ps(), odd1 = _mm512_setzero_ps();
    int64_t p = 0;
    for (; p + 2 <= k; p += 2) {
      const float* row = b + p * NR;
      const __m512 x0 = _mm512_set1_ps(x[p]), x1 = _mm512_set1_ps(x[p + 1]);
      even0 = _mm512_fmadd_ps(x0, _mm512_loadu_ps(row), even0);
      even1 = _mm512_fmadd_ps(x0, _mm512_loadu_ps(row + 16), even1);
      odd0 = _mm512_fmadd_ps(x1, _mm512_loadu_ps(row + 32), odd0);
      odd1 = _mm512_fmadd_ps(x1, _mm512_loadu_ps(row + 48), odd1);
    }
    if (p < k) {
      const __m512 x0 = _mm512_set1_ps(x[p]);
      even0 = _mm512_fmadd_ps(x0, _mm512_loadu_ps(b + p * NR), even0);
      even1 = _mm512_fmadd_ps(x0, _mm512_loadu_ps(b + p * NR + 16), even1);
    }
    const int cols = n < NR ? static_cast<int>(n) : NR;
    _mm512_mask_storeu_ps(y, laneMask(cols), _mm512_add_ps(even0, odd0));
    _mm512_mask_storeu_ps(y + 16, laneMask(cols - 16), _mm512_add_ps(even1, odd1));
  }
}

}  // namespace

const GemmKernel& gemmKernelAvx512() {
  static const GemmKernel kernel{Isa::Avx512, MR, NR, 256, 384, macro, gemv};
  return kernel;
}

}  // namespace kiln::gemm
