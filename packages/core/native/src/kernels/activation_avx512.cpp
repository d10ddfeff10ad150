#include "kernels/activation_apply.h"
#include "kernels/activation_avx512.h"

namespace kiln::detail {

void applyActivationAvx512(float* data, int64_t n, const Epilogue& epilogue) {
  const avx512::Act act(epilogue);
  const int64_t full = n / 16;
  act.applyVectors(data, full);
  if (full * 16 < n) {
    alignas(64) float tail[16] = {};
    const int64_t left = n - full * 16;
    for (int64_t i = 0; i < left; ++i) tail[i] = data[full * 16 + i];
    act.applyVectors(tail, 1);
    for (int64_t i = 0; i < left; ++i) data[full * 16 + i] = tail[i];
  }
}

}  // namespace kiln::detail
