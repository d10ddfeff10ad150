#pragma once
#include <cstdint>

#include "kernels/activation.h"
#include "runtime/cpu_features.h"

namespace kiln {

// data[i] = act(data[i]) over n floats, with the vector code of the given ISA (which this CPU must
// support): the same functions the convolution epilogues use.
void applyActivation(Isa isa, float* data, int64_t n, const Epilogue& epilogue);

namespace detail {
void applyActivationAvx2(float* data, int64_t n, const Epilogue& epilogue);
void applyActivationAvx512(float* data, int64_t n, const Epilogue& epilogue);
}  // namespace detail

}  // namespace kiln
