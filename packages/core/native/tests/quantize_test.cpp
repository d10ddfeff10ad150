#include <cmath>
#include <cstdint>
#include <vector>

#include "check.h"
#include "kernels/quantize.h"

using kiln::Isa;
using kiln::QuantParams;

// Every ISA's quantize/dequantize against the plain definition, bit for bit: odd lengths (vector
// tails), ties (x.5 rounds to even), values beyond the u8 range, several zero points.
void testQuantize() {
  kt::Random random(41);
  const QuantParams params[] = {{0.02f, 0}, {0.0137f, 128}, {0.5f, 255}, {1.f, 17}};
  for (Isa isa : kiln::supportedIsas()) {
    const int before = kt::failures();
    for (const QuantParams& p : params) {
      for (int64_t n : {0, 1, 7, 8, 31, 32, 33, 100, 1029}) {
        std::vector<float> x = random.vector(static_cast<size_t>(n), -300.f * p.scale, 300.f * p.scale);
        for (int64_t i = 0; i < n; i += 5) x[i] = (std::floor(x[i] / p.scale) + 0.5f) * p.scale;  // ties
        std::vector<uint8_t> q(n), expected(n);
        kiln::quantizeToU8(isa, x.data(), n, p, q.data());
        for (int64_t i = 0; i < n; ++i) {
          const float v = std::nearbyint(x[i] * (1.f / p.scale)) + static_cast<float>(p.zeroPoint);
          expected[i] = static_cast<uint8_t>(std::fmin(std::fmax(v, 0.f), 255.f));
          KT_CHECK(q[i] == expected[i], "quantize n=%lld i=%lld x=%g: %d, expected %d", static_cast<long long>(n),
                   static_cast<long long>(i), x[i], q[i], expected[i]);
        }
        std::vector<float> back(n);
        kiln::dequantizeU8(isa, q.data(), n, p, back.data());
        for (int64_t i = 0; i < n; ++i) {
          const float e = static_cast<float>(static_cast<int32_t>(q[i]) - p.zeroPoint) * p.scale;
          KT_CHECK(back[i] == e, "dequantize n=%lld i=%lld: %g, expected %g", static_cast<long long>(n), static_cast<long long>(i), back[i], e);
        }
      }
    }
    kt::reportGroup(std::string("quantize/dequantize u8 ") + kiln::isaName(isa), before, "odd lengths, ties, saturation");
  }
}
