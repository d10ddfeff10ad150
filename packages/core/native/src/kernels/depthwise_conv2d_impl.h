// The depthwise plane loop, included by one .cpp per ISA so the compiler vectorizes it for each.
// Included inside that file's own namespace; no inline definitions may leak across ISAs.
static void depthwisePlane(const kiln::DepthwisePlane& p, const kiln::ConvGeometry& g) {
  for (int64_t oy = 0; oy < p.oh; ++oy) {
    float* out = p.y + oy * p.ow;
    for (int64_t ox = 0; ox < p.ow; ++ox) out[ox] = p.bias;
    for (int64_t ky = 0; ky < g.kh; ++ky) {
      const int64_t iy = oy * g.strideH - g.padTop + ky * g.dilationH;
      if (iy < 0 || iy >= p.h) continue;
      const float* row = p.x + iy * p.w;
      for (int64_t kx = 0; kx < g.kw; ++kx) {
        const float weight = p.weights[ky * g.kw + kx];
        const int64_t offset = kx * g.dilationW - g.padLeft;
        // Output columns whose input column offset + ox·stride lies inside the row.
        int64_t first = offset >= 0 ? 0 : (-offset + g.strideW - 1) / g.strideW;
        int64_t last = p.w - 1 - offset < 0 ? -1 : (p.w - 1 - offset) / g.strideW;
        if (last >= p.ow) last = p.ow - 1;
        if (g.strideW == 1) {
          const float* in = row + offset;
          for (int64_t ox = first; ox <= last; ++ox) out[ox] += weight * in[ox];
        } else {
          for (int64_t ox = first; ox <= last; ++ox) out[ox] += weight * row[ox * g.strideW + offset];
        }
      }
    }
  }
}
