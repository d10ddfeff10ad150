// The depthwise plane loops, included by one .cpp per ISA so the compiler vectorizes them for each.
// Included inside that file's own namespace; no inline definitions may leak across ISAs, so no
// standard-library templates either (the linker could keep an AVX-512 instance for every caller).

static void fillFloats(float* __restrict d, int64_t n, float value) {
  for (int64_t i = 0; i < n; ++i) d[i] = value;
}
static int64_t minI(int64_t a, int64_t b) { return a < b ? a : b; }
static int64_t maxI(int64_t a, int64_t b) { return a > b ? a : b; }

// Any geometry, one output row at a time (dilation, or strides other than 1 and 2).
static void depthwisePlaneRows(const kiln::DepthwisePlane& p, const kiln::ConvGeometry& g) {
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
        for (int64_t ox = first; ox <= last; ++ox) out[ox] += weight * row[ox * g.strideW + offset];
      }
    }
  }
}

// dst[v] = src[s·v] for v < n (s = 1 or 2).
static void gatherStrided(float* __restrict dst, const float* __restrict src, int64_t s, int64_t n) {
  if (s == 1) {
    for (int64_t v = 0; v < n; ++v) dst[v] = src[v];
  } else {
    for (int64_t v = 0; v < n; ++v) dst[v] = src[2 * v];
  }
}

// acc[i] += w · z[i] for i < n.
static void multiplyAdd(float* __restrict acc, const float* __restrict z, float w, int64_t n) {
  for (int64_t i = 0; i < n; ++i) acc[i] += w * z[i];
}

// acc[i] = bias + the nine taps of a 3x3 filter, z[t][i] · w[t], in one pass.
static void nineTaps(float* __restrict acc, const float* __restrict z0, const float* __restrict z1,
                     const float* __restrict z2, const float* __restrict z3, const float* __restrict z4,
                     const float* __restrict z5, const float* __restrict z6, const float* __restrict z7,
                     const float* __restrict z8, const float* w, float bias, int64_t n) {
  const float w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3], w4 = w[4], w5 = w[5], w6 = w[6], w7 = w[7], w8 = w[8];
  for (int64_t i = 0; i < n; ++i)
    acc[i] = bias + w0 * z0[i] + w1 * z1[i] + w2 * z2[i] + w3 * z3[i] + w4 * z4[i] + w5 * z5[i] + w6 * z6[i] +
             w7 * z7[i] + w8 * z8[i];
}

// Stride s = 1 or 2, dilation 1: the plane is split into its s x s phase planes, zero-padded (the
// scratch's phase planes must hold zeros outside the input's cells on entry), all `dims.wq` wide,
// so that every tap is one unit-stride pass of multiply-adds over the whole output grid (oh rows of
// wq, the last wq - ow columns of each discarded): long vector loops however small the map,
// instead of kh·kw short ones per output row.
static void depthwisePlanePhases(const kiln::DepthwisePlane& p, const kiln::ConvGeometry& g,
                                 const kiln::PhasePlaneDims& dims, float* scratch) {
  const int64_t s = g.strideH, hq = dims.hq, wq = dims.wq, n = dims.accFloats;
  float* const acc = scratch;
  float* const phases = scratch + dims.accFloats;
  for (int64_t r = 0; r < s; ++r) {
    for (int64_t c = 0; c < s; ++c) {
      float* const z = phases + (r * s + c) * dims.phaseFloats;
      // Columns v whose input column s·v + c − padLeft lies in [0, w): [v0, v1).
      const int64_t lead = g.padLeft - c;
      const int64_t v0 = minI(wq, lead > 0 ? (lead + s - 1) / s : 0);
      const int64_t v1 = maxI(v0, minI(wq, (p.w + lead + s - 1) / s));
      // Rows u whose input row s·u + r − padTop lies in [0, h): [u0, u1). Everything else stays
      // the zero the caller filled the scratch with (the same cells for every plane).
      const int64_t top = g.padTop - r;
      const int64_t u0 = minI(hq, top > 0 ? (top + s - 1) / s : 0);
      const int64_t u1 = maxI(u0, minI(hq, (p.h + top + s - 1) / s));
      for (int64_t u = u0; u < u1; ++u)
        gatherStrided(z + u * wq + v0, p.x + (s * u - top) * p.w + s * v0 - lead, s, v1 - v0);
    }
  }
  const auto tap = [&](int64_t ky, int64_t kx) {
    return phases + ((ky % s) * s + kx % s) * dims.phaseFloats + (ky / s) * wq + kx / s;
  };
  if (g.kh == 3 && g.kw == 3) {
    nineTaps(acc, tap(0, 0), tap(0, 1), tap(0, 2), tap(1, 0), tap(1, 1), tap(1, 2), tap(2, 0), tap(2, 1), tap(2, 2),
             p.weights, p.bias, n);
  } else {
    fillFloats(acc, n, p.bias);
    for (int64_t ky = 0; ky < g.kh; ++ky)
      for (int64_t kx = 0; kx < g.kw; ++kx) multiplyAdd(acc, tap(ky, kx), p.weights[ky * g.kw + kx], n);
  }
  const float lo = p.lo, hi = p.hi;
  for (int64_t oy = 0; oy < p.oh; ++oy) {
    const float* __restrict from = acc + oy * wq;
    float* __restrict to = p.y + oy * p.ow;
    if (p.clamp) {
      for (int64_t ox = 0; ox < p.ow; ++ox) {
        const float v = from[ox] > lo ? from[ox] : lo;
        to[ox] = v < hi ? v : hi;
      }
    } else {
      for (int64_t ox = 0; ox < p.ow; ++ox) to[ox] = from[ox];
    }
  }
}

static void depthwisePlane(const kiln::DepthwisePlane& p, const kiln::ConvGeometry& g, float* scratch) {
  const kiln::PhasePlaneDims dims = kiln::depthwisePhaseDims(g, p.oh, p.ow);
  if (dims.phaseFloats > 0) {
    depthwisePlanePhases(p, g, dims, scratch);
    return;
  }
  depthwisePlaneRows(p, g);
  if (!p.clamp) return;
  float* __restrict y = p.y;
  const float lo = p.lo, hi = p.hi;
  for (int64_t i = 0; i < p.oh * p.ow; ++i) {
    const float v = y[i] > lo ? y[i] : lo;
    y[i] = v < hi ? v : hi;
  }
}
