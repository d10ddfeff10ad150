#include "kernels/activation_apply.h"
#include "kernels/activation_avx2.h"

namespace kiln::detail {

void applyActivationAvx2(float* data, int64_t n, const Epilogue& epilogue) {
  const avx2::Act act(epilogue);
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    __m256 v[4];
    for (int j = 0; j < 4; ++j) v[j] = _mm256_loadu_ps(data + i + 8 * j);
    act.apply<4>(v);
    for (int j = 0; j < 4; ++j) _mm256_storeu_ps(data + i + 8 * j, v[j]);
  }
  alignas(32) static const int32_t table[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  for (; i < n; i += 8) {
    const int64_t left = n - i < 8 ? n - i : 8;
    const __m256i mask = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(table + 8 - left));
    __m256 v = _mm256_maskload_ps(data + i, mask);
    act.apply<1>(&v);
    _mm256_maskstore_ps(data + i, mask, v);
  }
}

}  // namespace kiln::detail
