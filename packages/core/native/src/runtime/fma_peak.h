#pragma once
#include "runtime/cpu_features.h"

namespace kiln {

// The machine's floating-point peak as an unrolled multiply-add loop with 12 independent
// accumulators reaches it, in GFLOP/s, summed over `threads` threads running at once. What the
// benchmarks compare Kiln's achieved GFLOP/s with.
double measurePeakGflops(Isa isa, int threads, double seconds);

namespace detail {
// Runs `iterations` rounds of 12 vector multiply-adds; returns the flops done (and a value that
// keeps the compiler from deleting the loop).
double fmaLoopScalar(long iterations, float* sink);
double fmaLoopAvx2(long iterations, float* sink);
double fmaLoopAvx512(long iterations, float* sink);
}  // namespace detail

}  // namespace kiln
