#include "kernels/activation_apply.h"
#include "kernels/activation_avx2.h"

namespace kiln::detail {

void applyActivationAvx2(float* data, int64_t n, const Epilogue& epilogue) {
  const avx2::Act act(epilogue);
  const int64_t full = n / 8;
  act.applyVectors(data, full);
  if (full * 8 < n) {
    alignas(32) float tail[8] = {};
    const int64_t left = n - full * 8;
    for (int64_t i = 0; i < left; ++i) tail[i] = data[full * 8 + i];
    act.applyVectors(tail, 1);
    for (int64_t i = 0; i < left; ++i) data[full * 8 + i] = tail[i];
  }
}

}  // namespace kiln::detail
