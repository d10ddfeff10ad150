// The INT8 input packing (tap planes, qconv2d_planes.h, then packInput) against a plain im2col over
// odd shapes, strides, dilations and pads: every packed byte of every valid pixel and K row, the
// zero point past the tile's pixels, the s8 flip, 16- and 48-pixel panels, partial tiles.
#include <algorithm>
#include <cstring>
#include <vector>

#include "check.h"
#include "kernels/qconv2d_pack.h"
#include "kernels/qconv2d_planes.h"

using namespace kiln;

namespace {

struct PackCase {
  int64_t cin, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, h, w;
};

const PackCase kCases[] = {
    {3, 6, 6, 2, 2, 2, 2, 2, 2, 1, 1, 37, 41},   // the YOLOv5 stem, odd map
    {5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 9, 13},    // 3x3 pad 1, rows shorter than a block
    {2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3},     // tiny map: many rows per block
    {7, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 5, 19},    // pointwise, read in place
    {4, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 11, 21},   // unpadded 3x3, read in place
    {3, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 17, 35},   // stride 2
    {2, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 9, 14},    // 1x1 stride 2
    {3, 2, 5, 1, 2, 1, 0, 0, 3, 2, 1, 13, 29},   // mixed strides, dilation, pads
    {2, 3, 3, 3, 3, 2, 0, 1, 2, 2, 1, 20, 23},   // stride 3
    {1, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 6, 5},     // dilation 2 pad 2
    {2, 3, 3, 1, 1, 0, 0, 0, 0, 2, 2, 9, 11},    // dilation 2 unpadded, read in place
    {3, 6, 6, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1},     // the stem on a 1x1 input: all padding
};

uint8_t im2col(const PackCase& c, const std::vector<uint8_t>& x, int64_t outW, int64_t k, int64_t pixel,
               uint8_t zeroPoint) {
  const int64_t ch = k / (c.kh * c.kw), ky = k / c.kw % c.kh, kx = k % c.kw;
  const int64_t iy = pixel / outW * c.sh - c.pt + ky * c.dh, ix = pixel % outW * c.sw - c.pl + kx * c.dw;
  return iy < 0 || iy >= c.h || ix < 0 || ix >= c.w ? zeroPoint : x[(ch * c.h + iy) * c.w + ix];
}

void checkPackCase(const PackCase& c, int nr, uint8_t flip, kt::Random& rng) {
  ConvGeometry g;
  g.cin = c.cin, g.cout = 1, g.kh = c.kh, g.kw = c.kw, g.strideH = c.sh, g.strideW = c.sw;
  g.padTop = c.pt, g.padLeft = c.pl, g.padBottom = c.pb, g.padRight = c.pr, g.dilationH = c.dh, g.dilationW = c.dw;
  const int64_t outW = g.outW(c.w), pixels = g.outH(c.h) * outW, k = c.cin * c.kh * c.kw, groups = qconv::kGroups(k);
  const uint8_t zeroPoint = static_cast<uint8_t>(rng.next() >> 24);
  std::vector<uint8_t> x(c.cin * c.h * c.w);
  for (auto& v : x) v = static_cast<uint8_t>(rng.next() >> 24);

  const qconv::PlaneLayout layout = qconv::planeLayout(g, c.h, c.w);
  std::vector<int64_t> offsets(groups * 4);
  qconv::tapOffsets(g, layout, offsets.data());
  std::vector<uint8_t> planes(layout.itemBytes(c.cin), 0xee);
  for (int64_t ch = 0; ch < (layout.inPlace ? 0 : c.cin); ++ch)
    for (int64_t py = 0; py < c.sh; ++py)
      qconv::buildPhasePlanes(g, layout, x.data() + ch * c.h * c.w, c.h, c.w, zeroPoint, py,
                              planes.data() + ch * layout.channelBytes());
  const qconv::QPlanesView in{layout.inPlace ? x.data() : planes.data(), offsets.data(), layout.rowStride, outW,
                              zeroPoint, flip};
  // Tiles: the whole map, and pieces starting and ending mid-row and mid-block.
  const int64_t mid = std::min<int64_t>(5, pixels - 1);
  const int64_t tiles[][2] = {{0, pixels}, {mid, std::min<int64_t>(pixels - mid, 37)}, {pixels - 1, 1}};
  for (const auto& tile : tiles) {
    const int64_t n0 = tile[0], n = tile[1], panels = (n + nr - 1) / nr, panelStride = (groups + 1) * nr * 4;
    std::vector<uint8_t> packed(panels * panelStride, 0x11);
    qconv::packInput(in, groups, n0, n, nr, panelStride, packed.data());
    int bad = 0;
    for (int64_t p = 0; p < panels * nr; ++p)
      for (int64_t kk = 0; kk < k; ++kk) {
        const uint8_t got = packed[p / nr * panelStride + kk / 4 * nr * 4 + p % nr * 4 + kk % 4];
        const uint8_t want = (p < n ? im2col(c, x, outW, kk, n0 + p, zeroPoint) : zeroPoint) ^ flip;
        if (got != want && bad++ == 0)
          KT_CHECK(got == want,
                   "cin %lld k %lldx%lld stride %lldx%lld %lldx%lld nr %d tile %lld+%lld: pixel %lld row %lld "
                   "packed %d, im2col %d",
                   (long long)c.cin, (long long)c.kh, (long long)c.kw, (long long)c.sh, (long long)c.sw,
                   (long long)c.h, (long long)c.w, nr, (long long)n0, (long long)n, (long long)p, (long long)kk, got,
                   want);
      }
  }
}

}  // namespace

void testQConv2dPacking() {
  const int before = kt::failures();
  kt::Random rng(17);
  int runs = 0;
  for (const PackCase& c : kCases)
    for (int nr : {16, 48})
      for (uint8_t flip : {uint8_t(0), uint8_t(0x80)}) checkPackCase(c, nr, flip, rng), ++runs;
  kt::reportGroup("qconv2d input packing", before, kt::format("%d shapes x panel widths x flips", runs));
}
