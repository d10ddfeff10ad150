// AVX2 u8 x s8 micro-kernel (4 channels x 16 pixels, 8 ymm accumulators), alone and fused with the
// epilogue (qgemm_epilogue_avx2.h) so that a tile's sums go from registers to its outputs.
// vpmaddubsw adds two u8 x s8 products into a saturating int16, which full-range u8 x s8 pairs
// overflow (255*127*2). So the activations are packed shifted to s8 (x - 128, the kernel's
// activationOffset) and each product x'w is formed as |x'| * sign(w, x'): at most 128*127*2 = 32512
// per pair, never saturating, with 8-bit weights. vpmaddwd by ones widens the pairs into int32; the
// shift is undone by the per-channel compensation. (Forming the products with vpmaddwd on int16
// instead, with no sign/abs, measured slower on Zen 3.) No standard-library templates here: an
// inline instance compiled with AVX2 could be the one the linker keeps for the baseline code too.
#include <immintrin.h>

#include <cstring>

#include "kernels/activation_avx2.h"
#include "kernels/qgemm_epilogue_avx2.h"
#include "kernels/qgemm_kernel.h"

namespace kiln::qgemm::detail {
namespace {

constexpr int MR = kMrAvx2, NR = kNrAvx2;
static_assert(MR == kEpilogueRows && NR == kEpilogueNr, "the fused tile is the epilogue's shape");

inline __m256i broadcast4(const int8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return _mm256_set1_epi32(v);
}

// Out of line: inlined into the fused tiles, GCC hoists the weight broadcasts and spills accumulators.
__attribute__((noinline)) void accumulate(const int8_t* w, const uint8_t* x, int64_t kGroups, int32_t* acc) {
  const __m256i ones = _mm256_set1_epi16(1);
  __m256i c0[MR], c1[MR];
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r) c0[r] = c1[r] = _mm256_setzero_si256();
  for (int64_t q = 0; q < kGroups; ++q, w += MR * 4, x += NR * 4) {
    const __m256i x0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x));
    const __m256i x1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + 32));
    const __m256i a0 = _mm256_abs_epi8(x0), a1 = _mm256_abs_epi8(x1);
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) {
      const __m256i wr = broadcast4(w + r * 4);
      c0[r] = _mm256_add_epi32(c0[r], _mm256_madd_epi16(_mm256_maddubs_epi16(a0, _mm256_sign_epi8(wr, x0)), ones));
      c1[r] = _mm256_add_epi32(c1[r], _mm256_madd_epi16(_mm256_maddubs_epi16(a1, _mm256_sign_epi8(wr, x1)), ones));
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(acc + r * NR), c0[r]);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(acc + r * NR + 8), c1[r]);
  }
}

// The tile's sums, c[2r + j] = row r's pixels 8j..8j+7.
inline void accumulateTile(const int8_t* w, const uint8_t* x, int64_t kGroups, __m256i* c) {
  alignas(32) int32_t acc[MR * NR];
  accumulate(w, x, kGroups, acc);
#pragma GCC unroll 8
  for (int i = 0; i < 2 * MR; ++i) c[i] = _mm256_load_si256(reinterpret_cast<const __m256i*>(acc + i * 8));
}

// The fused tile for activation A: the activation inlined on the tile's registers.
template <Activation A>
void tileWith(const int8_t* w, const uint8_t* x, int64_t kGroups, const QEpilogue& e, const QTile& t) {
  __m256i c[2 * MR];
  accumulateTile(w, x, kGroups, c);
  __m256 v[2 * MR];
  scaleTile(e, t, c, v);
  const avx2::Act act(e.act);
  act.apply<A, MR>(v);
  act.apply<A, MR>(v + MR);
  storeTile(e, t, v);
}

}  // namespace

void microAvx2(const int8_t* w, const uint8_t* x, int64_t kGroups, int32_t* acc) { accumulate(w, x, kGroups, acc); }

// Activations without an inlined instance go through the out-of-line one on a stack copy.
void tileAvx2(const int8_t* w, const uint8_t* x, int64_t kGroups, const QEpilogue& e, const QTile& t) {
  if (e.output != QEpilogue::Output::Int32) {
    switch (e.act.act) {
      case Activation::None: return tileWith<Activation::None>(w, x, kGroups, e, t);
      case Activation::Relu: return tileWith<Activation::Relu>(w, x, kGroups, e, t);
      case Activation::Silu: return tileWith<Activation::Silu>(w, x, kGroups, e, t);
      default: break;
    }
  }
  __m256i c[2 * MR];
  accumulateTile(w, x, kGroups, c);
  if (e.output == QEpilogue::Output::Int32) return storeInt32Tile(e, t, c);
  alignas(32) __m256 v[2 * MR];
  scaleTile(e, t, c, v);
  avx2::Act(e.act).applyVectors(reinterpret_cast<float*>(v), 2 * MR);
  storeTile(e, t, v);
}

}  // namespace kiln::qgemm::detail
