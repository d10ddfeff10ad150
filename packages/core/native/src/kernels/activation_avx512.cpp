#include "kernels/activation_apply.h"
#include "kernels/activation_avx512.h"

namespace kiln::detail {

void applyActivationAvx512(float* data, int64_t n, const Epilogue& epilogue) {
  const avx512::Act act(epilogue);
  int64_t i = 0;
  for (; i + 64 <= n; i += 64) {
    __m512 v[4];
    for (int j = 0; j < 4; ++j) v[j] = _mm512_loadu_ps(data + i + 16 * j);
    act.apply<4>(v);
    for (int j = 0; j < 4; ++j) _mm512_storeu_ps(data + i + 16 * j, v[j]);
  }
  for (; i < n; i += 16) {
    const __mmask16 mask = n - i >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << (n - i)) - 1);
    __m512 v = _mm512_maskz_loadu_ps(mask, data + i);
    act.apply<1>(&v);
    _mm512_mask_storeu_ps(data + i, mask, v);
  }
}

}  // namespace kiln::detail
