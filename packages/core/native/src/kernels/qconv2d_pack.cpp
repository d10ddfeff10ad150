// The INT8 packers, in baseline x86-64 (SSE2). The input is packed 16 pixels at a time: for each
// group of 4 K rows, one 16-byte load per row from the tap planes (a few, blended, where the 16
// pixels span output rows), interleaved into 16 4-byte columns.
#include "kernels/qconv2d_pack.h"

#include <emmintrin.h>

#include <algorithm>
#include <cstring>

namespace kiln::qconv {
namespace {

constexpr int kBlock = 16;

// The runs of one block's pixels that lie in one output row: pixel p of run s (start[s] <= p <
// start[s + 1]) reads at base[s] + p - start[s].
struct Runs {
  int count = 0;
  int start[kBlock + 1];
  int64_t base[kBlock];
};

Runs runsOf(const QPlanesView& in, int64_t pixel, int valid) {
  Runs r;
  int64_t oy = pixel / in.outW, ox = pixel % in.outW;
  for (int p = 0; p < valid; ox = 0, ++oy) {
    r.start[r.count] = p;
    r.base[r.count++] = oy * in.rowStride + ox;
    p += static_cast<int>(std::min<int64_t>(valid - p, in.outW - ox));
  }
  r.start[r.count] = valid;
  return r;
}

// dst[p * 4 + i] = rows[i][p] ^ flip for the 16 pixels p.
inline void interleave4(__m128i r0, __m128i r1, __m128i r2, __m128i r3, __m128i flip, uint8_t* dst) {
  const __m128i a0 = _mm_unpacklo_epi8(r0, r1), a1 = _mm_unpackhi_epi8(r0, r1);
  const __m128i b0 = _mm_unpacklo_epi8(r2, r3), b1 = _mm_unpackhi_epi8(r2, r3);
  __m128i* d = reinterpret_cast<__m128i*>(dst);
  _mm_storeu_si128(d + 0, _mm_xor_si128(_mm_unpacklo_epi16(a0, b0), flip));
  _mm_storeu_si128(d + 1, _mm_xor_si128(_mm_unpackhi_epi16(a0, b0), flip));
  _mm_storeu_si128(d + 2, _mm_xor_si128(_mm_unpacklo_epi16(a1, b1), flip));
  _mm_storeu_si128(d + 3, _mm_xor_si128(_mm_unpackhi_epi16(a1, b1), flip));
}

inline __m128i load16(const uint8_t* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }

// Row `offset` of a block whose 16 pixels span several output rows: each run's load, later runs
// replacing the bytes from their start on. Reads past a run's end stay inside the planes (the next
// run lies further on) or their slack.
inline __m128i loadRuns(const uint8_t* planes, const Runs& r, const __m128i* fromMask) {
  __m128i v = load16(planes + r.base[0]);
  for (int s = 1; s < r.count; ++s) {
    const __m128i next = load16(planes + r.base[s] - r.start[s]);
    v = _mm_or_si128(_mm_andnot_si128(fromMask[s], v), _mm_and_si128(fromMask[s], next));
  }
  return v;
}

// A block of fewer than 16 pixels (the tile's last), gathered byte by byte so that nothing past
// its pixels is read; the rest hold the zero point.
inline __m128i loadPartial(const uint8_t* planes, const Runs& r, uint8_t zeroPoint) {
  alignas(16) uint8_t bytes[kBlock];
  std::memset(bytes, zeroPoint, kBlock);
  for (int s = 0; s < r.count; ++s)
    std::memcpy(bytes + r.start[s], planes + r.base[s], r.start[s + 1] - r.start[s]);
  return _mm_load_si128(reinterpret_cast<const __m128i*>(bytes));
}

void packBlock(const QPlanesView& in, int64_t kGroups, int64_t pixel, int valid, int64_t groupStride, uint8_t* dst) {
  const __m128i flip = _mm_set1_epi8(static_cast<char>(in.flip));
  const int64_t* off = in.tapOffsets;
  if (valid <= 0) {
    for (int64_t q = 0; q < kGroups; ++q) std::memset(dst + q * groupStride, in.zeroPoint ^ in.flip, kBlock * 4);
    return;
  }
  const Runs r = runsOf(in, pixel, valid);
  if (valid == kBlock && r.count == 1) {
    const uint8_t* src = in.planes + r.base[0];
    for (int64_t q = 0; q < kGroups; ++q, off += 4)
      interleave4(load16(src + off[0]), load16(src + off[1]), load16(src + off[2]), load16(src + off[3]), flip,
                  dst + q * groupStride);
    return;
  }
  if (valid == kBlock) {
    alignas(16) static const uint8_t kSteps[2 * kBlock] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                                             0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                                             0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    __m128i fromMask[kBlock];  // fromMask[s]: the bytes from run s's start on
    for (int s = 1; s < r.count; ++s) fromMask[s] = load16(kSteps + kBlock - r.start[s]);
    for (int64_t q = 0; q < kGroups; ++q, off += 4)
      interleave4(loadRuns(in.planes + off[0], r, fromMask), loadRuns(in.planes + off[1], r, fromMask),
                  loadRuns(in.planes + off[2], r, fromMask), loadRuns(in.planes + off[3], r, fromMask), flip,
                  dst + q * groupStride);
    return;
  }
  for (int64_t q = 0; q < kGroups; ++q, off += 4)
    interleave4(loadPartial(in.planes + off[0], r, in.zeroPoint), loadPartial(in.planes + off[1], r, in.zeroPoint),
                loadPartial(in.planes + off[2], r, in.zeroPoint), loadPartial(in.planes + off[3], r, in.zeroPoint),
                flip, dst + q * groupStride);
}

}  // namespace

void packWeights(const int8_t* w, int64_t cout, int64_t k, int mr, int8_t* dst) {
  const int64_t groups = kGroups(k), panels = (cout + mr - 1) / mr;
  std::memset(dst, 0, static_cast<size_t>(panels * groups * mr * 4));
  for (int64_t oc = 0; oc < cout; ++oc) {
    int8_t* panel = dst + oc / mr * groups * mr * 4 + oc % mr * 4;
    for (int64_t kk = 0; kk < k; ++kk) panel[kk / 4 * mr * 4 + kk % 4] = w[oc * k + kk];
  }
}

void packInput(const QPlanesView& in, int64_t kGroups, int64_t n0, int64_t n, int nr, int64_t panelStride,
               uint8_t* dst) {
  const int64_t blocks = (n + nr - 1) / nr * (nr / kBlock);
  for (int64_t b = 0; b < blocks; ++b) {
    const int64_t p = b * kBlock;
    uint8_t* out = dst + p / nr * panelStride + p % nr * 4;
    packBlock(in, kGroups, n0 + p, static_cast<int>(std::min<int64_t>(kBlock, n - p)), nr * 4, out);
  }
}

}  // namespace kiln::qconv
