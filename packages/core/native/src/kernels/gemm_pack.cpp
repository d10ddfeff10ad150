#include "kernels/gemm_pack.h"

#include <algorithm>

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

}  // namespace kiln::gemm
