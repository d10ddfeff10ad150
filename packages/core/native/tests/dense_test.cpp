#include <algorithm>
#include <cmath>
#include <vector>

#include "check.h"
#include "kernels/dense.h"

using namespace kiln;

void testDense() {
  const int before = kt::failures();
  kt::Random rng(53);
  const int64_t shapes[][3] = {{1, 1, 1}, {1, 1000, 1280}, {1, 17, 33}, {1, 45, 2}, {1, 40, 1}, {8, 1000, 1280}, {8, 17, 33}, {100, 5, 7}, {97, 64, 200}, {13, 40, 3}};
  int runs = 0;
  double worst = 0;
  for (const auto& s : shapes) {
    const int64_t m = s[0], n = s[1], k = s[2];
    for (bool withBias : {false, true}) {
      const std::vector<float> x = rng.vector(m * k), w = rng.vector(n * k), bias = rng.vector(n);
      std::vector<double> expected(m * n);
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
          double acc = withBias ? bias[j] : 0.0;
          for (int64_t kk = 0; kk < k; ++kk) acc += double(x[i * k + kk]) * w[j * k + kk];
          expected[i * n + j] = acc;
        }
      for (Isa isa : supportedIsas()) {
        const DenseKernel kernel(isa, n, k, w.data(), withBias ? bias.data() : nullptr);
        for (int threads : {1, 3}) {
          ThreadPool pool(threads);
          std::vector<float> ws(kernel.workspaceBytes(threads) / sizeof(float) + 16), y(m * n + 16, -7.f);
          kernel.run(x.data(), m, y.data(), ws.data(), pool);
          for (int64_t i = 0; i < m * n; ++i) {
            const double err = std::fabs(y[i] - expected[i]);
            worst = std::max(worst, err);
            if (!(err <= 1e-5 * std::sqrt(double(k)) * (1 + std::fabs(expected[i])))) {
              KT_CHECK(false, "dense %lldx%lldx%lld (%s, %d threads): y[%lld] = %g, expected %g", static_cast<long long>(m),
                       static_cast<long long>(n), static_cast<long long>(k), isaName(isa), threads, static_cast<long long>(i), y[i],
                       expected[i]);
              break;
            }
          }
          KT_CHECK(std::all_of(y.end() - 16, y.end(), [](float v) { return v == -7.f; }), "dense wrote past its output");
          ++runs;
        }
      }
    }
  }
  kt::reportGroup("dense (fully connected)", before, kt::format("%d runs over shapes, biases, ISAs and threads, max err %.2g", runs, worst));
}
