#include "kernels/activation_apply.h"

#include "kernels/activation_scalar.h"

namespace kiln {

void applyActivation(Isa isa, float* data, int64_t n, const Epilogue& epilogue) {
  switch (isa) {
    case Isa::Avx512: return detail::applyActivationAvx512(data, n, epilogue);
    case Isa::Avx2: return detail::applyActivationAvx2(data, n, epilogue);
    case Isa::Scalar: break;
  }
  for (int64_t i = 0; i < n; ++i) data[i] = activateScalar(data[i], epilogue);
}

}  // namespace kiln
