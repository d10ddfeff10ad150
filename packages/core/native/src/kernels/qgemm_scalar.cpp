// The portable u8 x s8 micro-kernel (4 x 16) and epilogue: the baseline, and the model the vector
// paths follow operation for operation.
#include <cmath>
#include <cstring>

#include "kernels/activation_scalar.h"
#include "kernels/qgemm_kernel.h"

namespace kiln::qgemm::detail {
namespace {
constexpr int MR = kMrScalar, NR = kNrScalar;
}  // namespace

void microScalar(const int8_t* w, const uint8_t* x, int64_t kGroups, int32_t* acc) {
  int32_t c[MR * NR] = {};
  for (int64_t q = 0; q < kGroups; ++q, w += MR * 4, x += NR * 4)
    for (int r = 0; r < MR; ++r)
      for (int p = 0; p < NR; ++p) {
        int32_t sum = 0;
        for (int i = 0; i < 4; ++i) sum += int32_t(x[p * 4 + i]) * int32_t(w[r * 4 + i]);
        c[r * NR + p] += sum;
      }
  std::memcpy(acc, c, sizeof c);
}

void epilogueScalar(const QEpilogue& e, const QTile& t) {
  for (int r = 0; r < t.m; ++r) {
    const int64_t ch = t.channel + r;
    const int32_t* acc = t.acc + r * NR;
    const int32_t comp = e.compensation[ch];
    if (e.output == QEpilogue::Output::Int32) {
      int32_t* y = static_cast<int32_t*>(t.y) + r * t.ldy;
      for (int p = 0; p < t.n; ++p) y[p] = acc[p] + comp;
      continue;
    }
    const uint8_t* res = t.residual ? t.residual + r * t.ldy : nullptr;
    for (int p = 0; p < t.n; ++p) {
      float v = activateScalar(float(acc[p] + comp) * e.scale[ch] + e.bias[ch], e.act);
      if (e.residual) v = v + float(int32_t(res[p]) - e.rZeroPoint) * e.rScale;
      if (e.output == QEpilogue::Output::Float) {
        static_cast<float*>(t.y)[r * t.ldy + p] = v;
      } else {
        const float q = std::fmin(std::fmax(std::nearbyint(v * e.yInvScale) + e.yZeroPoint, 0.f), 255.f);
        static_cast<uint8_t*>(t.y)[r * t.ldy + p] = static_cast<uint8_t>(q);
      }
    }
  }
}

}  // namespace kiln::qgemm::detail
