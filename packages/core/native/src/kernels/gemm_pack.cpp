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

namespace {

// A fixed-size copy the compiler turns into a few vector moves.
template <int NR>
void packBRowFixed(const float* src, int64_t n, int64_t kc, float* dst) {
  const int64_t panelStride = kc * NR;
  int64_t j = 0;
  for (; j + NR <= n; j += NR, dst += panelStride) std::memcpy(dst, src + j, NR * sizeof(float));
  if (j < n) {
    const int64_t cols = n - j;
    for (int i = 0; i < NR; ++i) dst[i] = i < cols ? src[j + i] : 0.f;
  }
}

}  // namespace

void packBRow(const float* src, int64_t n, int nr, int64_t kc, float* dst) {
  switch (nr) {
    case 8: return packBRowFixed<8>(src, n, kc, dst);
    case 16: return packBRowFixed<16>(src, n, kc, dst);
    case 32: return packBRowFixed<32>(src, n, kc, dst);
  }
  const int64_t panelStride = kc * nr;
  for (int64_t j = 0; j < n; j += nr, dst += panelStride) {
    for (int64_t i = 0; i < nr; ++i) dst[i] = j + i < n ? src[j + i] : 0.f;
  }
}

}  // namespace kiln::gemm
