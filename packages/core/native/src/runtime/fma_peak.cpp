#include "runtime/fma_peak.h"

#include <emmintrin.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace kiln {

namespace detail {
double fmaLoopScalar(long iterations, float* sink) {
  __m128 acc[12];
  for (int i = 0; i < 12; ++i) acc[i] = _mm_set1_ps(0.001f * static_cast<float>(i));
  const __m128 a = _mm_set1_ps(0.999f), b = _mm_set1_ps(0.0001f);
  for (long it = 0; it < iterations; ++it)
    for (int i = 0; i < 12; ++i) acc[i] = _mm_add_ps(_mm_mul_ps(acc[i], a), b);
  __m128 sum = acc[0];
  for (int i = 1; i < 12; ++i) sum = _mm_add_ps(sum, acc[i]);
  *sink = _mm_cvtss_f32(sum);
  return static_cast<double>(iterations) * 12 * 4 * 2;
}
}  // namespace detail

double measurePeakGflops(Isa isa, int threads, double seconds) {
  auto loop = isa == Isa::Avx512 ? detail::fmaLoopAvx512 : isa == Isa::Avx2 ? detail::fmaLoopAvx2 : detail::fmaLoopScalar;
  if (threads < 1) threads = 1;
  std::vector<double> flops(threads, 0.0);
  std::vector<float> sinks(threads, 0.f);
  std::atomic<bool> start{false};
  std::vector<std::thread> workers;
  const auto deadline = std::chrono::duration<double>(seconds);
  double elapsed = 0;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      while (!start.load()) std::this_thread::yield();
      const auto begin = std::chrono::steady_clock::now();
      while (std::chrono::steady_clock::now() - begin < deadline) flops[t] += loop(1 << 20, &sinks[t]);
    });
  const auto begin = std::chrono::steady_clock::now();
  start = true;
  for (auto& w : workers) w.join();
  elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  double total = 0;
  for (double f : flops) total += f;
  return total / elapsed / 1e9;
}

}  // namespace kiln
