#include "kernels/gemm_pack.h"

#include <algorithm>
#include <cstring>

namespace kiln::gemm {

void packA(const float* src, int64_t m, int64_t k, int64_t lda, int mr, float* dst) {
  for (int64_t i0 = 0; i0 < m; i0 += mr) {
    const int64_t rows = std::min<int64_t>(mr, m - i0);
    for (int64_t p = 0; p < k; ++p) {
      for (int64_t r = 0; r < mr; ++r) dst[r] = r < rows ? src[(i0 + r) * lda + p] : 0.f;
      dst += mr;
    }
  }
}

void packPixelsTransposed(const float* x, int64_t plane, int64_t cin, int64_t m, int mr, float* dst) {
  const int64_t k = cin + 1, panels = (m + mr - 1) / mr, whole = m / mr;
  for (int64_t c = 0; c < cin; ++c) {
    const float* src = x + c * plane;
    for (int64_t p = 0; p < whole; ++p) std::memcpy(dst + (p * k + c) * mr, src + p * mr, sizeof(float) * mr);
    if (whole < panels) {
      float* d = dst + (whole * k + c) * mr;
      const int64_t rest = m - whole * mr;
      std::memcpy(d, src + whole * mr, sizeof(float) * rest);
      std::fill(d + rest, d + mr, 0.f);
    }
  }
  for (int64_t p = 0; p < panels; ++p) std::fill(dst + (p * k + cin) * mr, dst + (p * k + cin + 1) * mr, 1.f);
}

void packFiltersTransposed(const float* weights, const float* bias, int64_t cout, int64_t cin, int nr, float* dst) {
  const int64_t k = cin + 1;
  for (int64_t p = 0; p < (cout + nr - 1) / nr; ++p)
    for (int64_t row = 0; row < k; ++row)
      for (int64_t i = 0; i < nr; ++i) {
        const int64_t c = p * nr + i;
        float v = 0.f;
        if (c < cout) v = row < cin ? weights[c * cin + row] : bias ? bias[c] : 0.f;
        dst[(p * k + row) * nr + i] = v;
      }
}

}  // namespace kiln::gemm
