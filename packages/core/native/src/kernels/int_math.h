#pragma once
#include <cstdint>

namespace kiln {

// The kernels' tiling arithmetic. For baseline-compiled files only: an inline function compiled
// under an ISA's flags (the *_avx2 / *_avx512 files) could be the instance the linker keeps for all.
constexpr int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
constexpr int64_t roundUp(int64_t a, int64_t b) { return ceilDiv(a, b) * b; }

}  // namespace kiln
