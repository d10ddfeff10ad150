// The standalone AVX2 epilogue of a 4 x 16 tile of accumulators in memory (the AVX-VNNI kernel's;
// the AVX2 kernel fuses the same steps into its tile, qgemm_avx2.cpp).
#include "kernels/activation_avx2.h"
#include "kernels/qgemm_epilogue_avx2.h"
#include "kernels/qgemm_kernel.h"

namespace kiln::qgemm::detail {

void epilogueAvx2(const QEpilogue& e, const QTile& t) {
  __m256i c[2 * kEpilogueRows];
#pragma GCC unroll 16
  for (int i = 0; i < 2 * kEpilogueRows; ++i)
    c[i] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t.acc + i * 8));
  if (e.output == QEpilogue::Output::Int32) return storeInt32Tile(e, t, c);
  alignas(32) __m256 v[2 * kEpilogueRows];
  scaleTile(e, t, c, v);
  avx2::Act(e.act).applyVectors(reinterpret_cast<float*>(v), 2 * kEpilogueRows);
  storeTile(e, t, v);
}

}  // namespace kiln::qgemm::detail
