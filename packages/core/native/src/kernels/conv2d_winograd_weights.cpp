// The Winograd F(4x4, 3x3) weight transform, done once when a kernel is created.
#include "kernels/conv2d_winograd_transform.h"

namespace kiln::winograd {
namespace {

// G: the 6x3 kernel transform for the points 0, 1, -1, 2, -2 and infinity.
constexpr double kG[6][3] = {{1.0 / 4, 0, 0},
                             {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                             {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                             {1.0 / 24, 1.0 / 12, 1.0 / 6},
                             {1.0 / 24, -1.0 / 12, 1.0 / 6},
                             {0, 0, 1}};

}  // namespace

void transformWeights(const float* weights, int64_t cout, int64_t cin, float* u) {
  for (int64_t co = 0; co < cout; ++co)
    for (int64_t ci = 0; ci < cin; ++ci) {
      const float* g = weights + (co * cin + ci) * 9;
      double gg[6][3];  // G g
      for (int i = 0; i < 6; ++i)
        for (int b = 0; b < 3; ++b) gg[i][b] = kG[i][0] * g[b] + kG[i][1] * g[3 + b] + kG[i][2] * g[6 + b];
      for (int i = 0; i < 6; ++i)
        for (int j = 0; j < 6; ++j) {
          const double value = gg[i][0] * kG[j][0] + gg[i][1] * kG[j][1] + gg[i][2] * kG[j][2];
          u[((6 * i + j) * cout + co) * cin + ci] = static_cast<float>(value);
        }
    }
}

}  // namespace kiln::winograd
