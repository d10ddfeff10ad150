#include "kernels/blocked_conv.h"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "kernels/activation_apply.h"
#include "kernels/conv2d_winograd_transform.h"

namespace kiln::blocked {

const detail::Kernels& detail::kernelsFor(Isa isa) {
  switch (isa) {
    case Isa::Avx512: return kernelsAvx512();
    case Isa::Avx2: return kernelsAvx2();
    default: return kernelsScalar();
  }
}

namespace {

using detail::kernelsFor;
using detail::TileOut;

int64_t groupCount(int64_t cout, int perGroup) { return (blocks(cout) + perGroup - 1) / perGroup; }

// Weights [cout, k] into dst as groups of `perGroup` output blocks, group g's filters [k][blocks in
// g][16] (channels past cout zero), the groups one after another perGroup * k * 16 floats apart.
void packGroupedFilters(const float* weights, int64_t cout, int64_t k, int perGroup, float* dst) {
  const int64_t outBlocks = blocks(cout);
  for (int64_t g = 0; g < groupCount(cout, perGroup); ++g) {
    const int64_t first = g * perGroup, n = std::min<int64_t>(perGroup, outBlocks - first);
    float* f = dst + g * perGroup * k * kBlock;
    for (int64_t row = 0; row < k; ++row)
      for (int64_t j = 0; j < n * kBlock; ++j) {
        const int64_t co = first * kBlock + j;
        f[row * n * kBlock + j] = co < cout ? weights[co * k + row] : 0.f;
      }
  }
}

AlignedFloats groupedFilters(const float* weights, int64_t cout, int64_t k, int perGroup, int64_t* groups) {
  *groups = groupCount(cout, perGroup);
  AlignedFloats filters = allocAlignedFloats(*groups * perGroup * k * kBlock);
  packGroupedFilters(weights, cout, k, perGroup, filters.get());
  return filters;
}

AlignedFloats paddedBias(const float* bias, int64_t channels) {
  AlignedFloats out = allocAlignedFloats(blocks(channels) * kBlock);
  for (int64_t c = 0; c < blocks(channels) * kBlock; ++c) out[c] = bias && c < channels ? bias[c] : 0.f;
  return out;
}

void activate(Isa isa, float* data, int64_t n, const Epilogue& epilogue) {
  if (epilogue.act != Activation::None) applyActivation(isa, data, n, epilogue);
}

// How the tiles end: a clamping activation (ReLU, Clip) and the residual in registers as they store;
// with another activation, the residual only when nothing comes between it and the sum (the rest
// is left to finishRows).
struct TileEpilogue {
  TileOut base;       // out and blockStride set per tile
  bool done = false;  // the tiles apply the whole epilogue
  bool residual = false;
};
TileEpilogue tileEpilogue(const float* residual, const Epilogue& e) {
  TileEpilogue t{{nullptr, 0}};
  const bool clamp = e.act == Activation::Relu || e.act == Activation::Clip;
  t.done = clamp || e.act == Activation::None;
  t.residual = residual && (t.done || e.afterResidual);
  t.base.clamp = clamp;
  t.base.clampAfterResidual = e.afterResidual;
  t.base.lo = e.act == Activation::Clip ? e.alpha : 0.f;
  t.base.hi = e.act == Activation::Clip ? e.beta : __builtin_inff();
  return t;
}
TileOut tileOut(const TileEpilogue& t, float* out, int64_t blockStride, const float* residual) {
  TileOut o = t.base;
  o.out = out;
  o.blockStride = blockStride;
  o.residual = t.residual ? residual : nullptr;
  return o;
}

// The epilogue of `rows` output rows of `count` floats, stride apart from o: the activation and,
// unless the tiles added it (then null), the residual's rows (residualStride apart, by default as
// the output's), in the epilogue's order.
void finishRows(Isa isa, const Epilogue& e, float* o, int64_t stride, int64_t rows, int64_t count,
                const float* residual, int64_t residualStride = -1) {
  if (residualStride < 0) residualStride = stride;
  for (int64_t j = 0; j < rows; ++j) {
    float* row = o + j * stride;
    if (!residual) {
      activate(isa, row, count, e);
      continue;
    }
    const float* r = residual + j * residualStride;
    if (!e.afterResidual) activate(isa, row, count, e);
    for (int64_t i = 0; i < count; ++i) row[i] += r[i];
    if (e.afterResidual) activate(isa, row, count, e);
  }
}

// Where a tap convolution reads: `planes` planes of h x w pixels of `lanes` floats (lanes 16: a
// plane per 16-channel block; lanes 1: a plane per NCHW channel), laid out as `rows` says.
struct TapInput {
  RowSource rows;
  int64_t planes, lanes;
  const float* row(int64_t p, int64_t iy) const { return rows.x + p * rows.planeStride + iy % rows.ringRows * rows.rowStride; }
};

// The input columns a tile of `pixels` outputs reads along a row (strides above 2 run one pixel).
int64_t tileSpan(const ConvGeometry& g, int pixels) {
  return (pixels - 1) * std::min<int64_t>(g.strideW, 2) + (g.kw - 1) * g.dilationW + 1;
}

// One thread's scratch for tapRow: the row's taps in the input and in the padded copy, then the copy.
size_t tapScratchBytes(const ConvGeometry& g, int64_t planes, int64_t lanes, int pixels) {
  const size_t taps = 2 * static_cast<size_t>(planes * g.kh * g.kw) * sizeof(detail::Tap);
  const size_t copy = static_cast<size_t>(planes * g.kh * tileSpan(g, pixels) * lanes) * sizeof(float);
  return (taps + copy + 63) / 64 * 64;
}

// Output row oy of `n` output blocks of a one-group convolution, with `tile` in tiles of near-equal
// widths up to `pixels`: the window rows outside the input dropped from the taps, a tile whose
// columns leave the input reading a zero-padded copy of them; then the rest of the epilogue.
void tapRow(const ConvGeometry& g, const TapInput& in, int64_t oy, int64_t ow, detail::TapTileFn tile, int pixels,
            int64_t n, const float* filters, const float* bias, Isa isa, const Epilogue& e, const TileEpilogue& te,
            float* row, int64_t blockStride, const float* residual, void* scratch) {
  const int64_t sw = g.strideW, dw = g.dilationW, lanes = in.lanes, span = tileSpan(g, pixels), w = in.rows.w;
  const int step = sw <= 2 ? static_cast<int>(sw) : 0;
  const int64_t tiles = step ? (ow + pixels - 1) / pixels : ow;
  const int64_t iy0 = oy * g.strideH - g.padTop;
  int64_t kyLo = 0, kyHi = g.kh;
  while (kyLo < kyHi && iy0 + kyLo * g.dilationH < 0) ++kyLo;
  while (kyHi > kyLo && iy0 + (kyHi - 1) * g.dilationH >= in.rows.h) --kyHi;
  auto* inPlace = static_cast<detail::Tap*>(scratch);
  detail::Tap* padded = inPlace + in.planes * g.kh * g.kw;
  auto* copy = reinterpret_cast<float*>(padded + in.planes * g.kh * g.kw);
  int64_t count = 0;
  for (int64_t p = 0; p < in.planes; ++p)
    for (int64_t ky = kyLo; ky < kyHi; ++ky)
      for (int64_t kx = 0; kx < g.kw; ++kx, ++count) {
        const int64_t filter = ((p * g.kh + ky) * g.kw + kx) * lanes * n * kBlock;
        inPlace[count] = {in.row(p, iy0 + ky * g.dilationH) - in.rows.x + kx * dw * lanes, filter};
        padded[count] = {((p * g.kh + ky) * span + kx * dw) * lanes, filter};
      }
  for (int64_t t = 0; t < tiles; ++t) {
    const int64_t ox0 = t * ow / tiles, width = (t + 1) * ow / tiles - ox0;
    const int64_t ix0 = ox0 * sw - g.padLeft, ix1 = (ox0 + width - 1) * sw - g.padLeft + (g.kw - 1) * dw;
    const TileOut out = tileOut(te, row + ox0 * kBlock, blockStride, residual ? residual + ox0 * kBlock : nullptr);
    if (ix0 >= 0 && ix1 < w) {
      tile(static_cast<int>(width), static_cast<int>(n), step, in.rows.x + ix0 * lanes, inPlace, count, filters, bias, out);
      continue;
    }
    for (int64_t p = 0; p < in.planes; ++p)
      for (int64_t ky = kyLo; ky < kyHi; ++ky) {
        const float* src = in.row(p, iy0 + ky * g.dilationH);
        float* dst = copy + (p * g.kh + ky) * span * lanes;
        for (int64_t c = 0; c <= ix1 - ix0; ++c) {
          const int64_t ix = ix0 + c;
          if (ix >= 0 && ix < w) std::copy(src + ix * lanes, src + (ix + 1) * lanes, dst + c * lanes);
          else std::fill(dst + c * lanes, dst + (c + 1) * lanes, 0.f);
        }
      }
    tile(static_cast<int>(width), static_cast<int>(n), std::max(step, 1), copy, padded, count, filters, bias, out);
  }
  if (!te.done) finishRows(isa, e, row, blockStride, n, ow * kBlock, te.residual ? nullptr : residual);
}

}  // namespace

void toBlocked(Isa isa, const float* x, int64_t n, int64_t c, int64_t plane, float* y, ThreadPool& pool) {
  const detail::Kernels& k = kernelsFor(isa);
  const int64_t cb = blocks(c);
  pool.parallelFor(n * cb, [&](int64_t task, int) {
    const int64_t b = task / cb, block = task % cb, channels = std::min(kBlock, c - block * kBlock);
    const float* src = x + (b * c + block * kBlock) * plane;
    float* dst = y + task * plane * kBlock;
    int64_t p = 0;
    for (; p + 16 <= plane; p += 16) k.toBlocked16(src + p, plane, channels, dst + p * kBlock);
    for (; p < plane; ++p)
      for (int64_t ch = 0; ch < kBlock; ++ch) dst[p * kBlock + ch] = ch < channels ? src[ch * plane + p] : 0.f;
  });
}

void fromBlocked(Isa isa, const float* x, int64_t n, int64_t c, int64_t plane, float* y, ThreadPool& pool) {
  const detail::Kernels& k = kernelsFor(isa);
  const int64_t cb = blocks(c);
  pool.parallelFor(n * cb, [&](int64_t task, int) {
    const int64_t b = task / cb, block = task % cb, channels = std::min(kBlock, c - block * kBlock);
    const float* src = x + task * plane * kBlock;
    float* dst = y + (b * c + block * kBlock) * plane;
    int64_t p = 0;
    for (; p + 16 <= plane; p += 16) k.fromBlocked16(src + p * kBlock, plane, channels, dst + p);
    for (; p < plane; ++p)
      for (int64_t ch = 0; ch < channels; ++ch) dst[ch * plane + p] = src[p * kBlock + ch];
  });
}

PointwiseBlocked::PointwiseBlocked(Isa isa, int64_t cin, int64_t cout, const float* weights, const float* bias,
                                   const Epilogue& epilogue)
    : isa_(isa), cin_(cin), cout_(cout), epilogue_(epilogue) {
  if (cin <= 0 || cout <= 0 || !weights) throw std::invalid_argument("blocked pointwise: bad channels or weights");
  filters_ = groupedFilters(weights, cout, cin, kernelsFor(isa).maxOutBlocks, &groups_);
  bias_ = paddedBias(bias, cout);
}

void PointwiseBlocked::groupPixels(int64_t g, const float* x, int64_t xBlockStride, int64_t pixels,
                                   const float* residual, float* y, int64_t yBlockStride) const {
  const detail::Kernels& k = kernelsFor(isa_);
  const int64_t first = g * k.maxOutBlocks, n = std::min<int64_t>(k.maxOutBlocks, blocks(cout_) - first);
  const float* f = filters_.get() + first * cin_ * kBlock;
  float* out = y + first * yBlockStride;
  const float* res = residual ? residual + first * yBlockStride : nullptr;
  const TileEpilogue te = tileEpilogue(residual, epilogue_);
  for (int64_t p = 0; p < pixels; p += k.maxPixels) {
    const int count = static_cast<int>(std::min<int64_t>(k.maxPixels, pixels - p));
    const int64_t at = p * kBlock;
    k.pointwiseTile(count, static_cast<int>(n), x + at, cin_, xBlockStride, f, bias_.get() + first * kBlock,
                    tileOut(te, out + at, yBlockStride, res ? res + at : nullptr));
  }
  // The rest of the epilogue while the pixels are in L1.
  if (!te.done) finishRows(isa_, epilogue_, out, yBlockStride, n, pixels * kBlock, te.residual ? nullptr : res);
}

void PointwiseBlocked::runPixels(const float* x, int64_t xBlockStride, int64_t pixels, const float* residual, float* y,
                                 int64_t yBlockStride) const {
  for (int64_t g = 0; g < groups_; ++g) groupPixels(g, x, xBlockStride, pixels, residual, y, yBlockStride);
}

void PointwiseBlocked::run(const float* x, int64_t batch, int64_t plane, const float* residual, float* y,
                           ThreadPool& pool) const {
  if (batch <= 0 || plane <= 0) return;
  const int64_t chunk = 8 * static_cast<int64_t>(kernelsFor(isa_).maxPixels), chunks = (plane + chunk - 1) / chunk;
  const int64_t inBlocks = blocks(cin_), outBlocks = blocks(cout_);
  pool.parallelFor(batch * chunks * groups_, [&](int64_t task, int) {
    const int64_t g = task % groups_, chunkIndex = task / groups_ % chunks, b = task / (groups_ * chunks);
    const int64_t p0 = chunkIndex * chunk, at = (b * outBlocks * plane + p0) * kBlock;
    groupPixels(g, x + (b * inBlocks * plane + p0) * kBlock, plane * kBlock, std::min(chunk, plane - p0),
                residual ? residual + at : nullptr, y + at, plane * kBlock);
  });
}

DepthwiseBlocked::DepthwiseBlocked(Isa isa, const ConvGeometry& g, const float* weights, const float* bias,
                                   const Epilogue& epilogue)
    : isa_(isa), g_(g), epilogue_(epilogue) {
  if (g.cin <= 0 || g.cout != g.cin || g.kh <= 0 || g.kw <= 0 || g.strideH <= 0 || g.strideW <= 0 ||
      g.dilationH != 1 || g.dilationW != 1 || g.kh > kMaxDepthwiseRows || !weights)
    throw std::invalid_argument("blocked depthwise: bad geometry or weights");
  const int64_t taps = g.kh * g.kw;
  filters_ = allocAlignedFloats(blocks(g.cin) * taps * kBlock);
  for (int64_t block = 0; block < blocks(g.cin); ++block)
    for (int64_t t = 0; t < taps; ++t)
      for (int64_t j = 0; j < kBlock; ++j) {
        const int64_t c = block * kBlock + j;
        filters_[(block * taps + t) * kBlock + j] = c < g.cin ? weights[c * taps + t] : 0.f;
      }
  bias_ = paddedBias(bias, g.cin);
}

void DepthwiseBlocked::row(const float* const* rows, int64_t w, int64_t block, float* y) const {
  const int64_t taps = g_.kh * g_.kw, ow = g_.outW(w);
  kernelsFor(isa_).depthwiseRow(rows, w, g_, filters_.get() + block * taps * kBlock, bias_.get() + block * kBlock, ow, y);
  activate(isa_, y, ow * kBlock, epilogue_);
}

void DepthwiseBlocked::run(const float* x, int64_t batch, int64_t h, int64_t w, float* y, ThreadPool& pool) const {
  const int64_t oh = g_.outH(h), ow = g_.outW(w);
  if (oh <= 0 || ow <= 0) throw std::invalid_argument("blocked depthwise: the kernel does not fit in the padded input");
  if (batch <= 0) return;
  const int64_t cb = blocks(g_.cin);
  // A task is a band of output rows of one block: about 256 output pixels (16 KiB) or one row.
  const int64_t rows = std::clamp<int64_t>(256 / std::max<int64_t>(ow, 1), 1, oh), bands = (oh + rows - 1) / rows;
  pool.parallelFor(batch * cb * bands, [&](int64_t task, int) {
    const int64_t band = task % bands, plane = task / bands;  // plane: image * cb + block
    const float* xp = x + plane * h * w * kBlock;
    const float* window[kMaxDepthwiseRows];
    for (int64_t oy = band * rows; oy < std::min(oh, (band + 1) * rows); ++oy) {
      for (int64_t ky = 0; ky < g_.kh; ++ky) {
        const int64_t iy = oy * g_.strideH - g_.padTop + ky;
        window[ky] = iy >= 0 && iy < h ? xp + iy * w * kBlock : nullptr;
      }
      row(window, w, plane % cb, y + (plane * oh + oy) * ow * kBlock);
    }
  });
}

DirectBlocked::DirectBlocked(Isa isa, const ConvGeometry& g, const float* weights, const float* bias,
                             const Epilogue& epilogue)
    : isa_(isa), g_(g), k_(g.cin * g.kh * g.kw), epilogue_(epilogue) {
  if (g.groups != 1 || k_ <= 0 || k_ > kMaxDirectK || g.cout <= 0 || !weights)
    throw std::invalid_argument("blocked direct: needs one group and at most 256 taps over the input channels");
  filters_ = groupedFilters(weights, g.cout, k_, kernelsFor(isa).maxOutBlocks, &groups_);
  bias_ = paddedBias(bias, g.cout);
}

size_t DirectBlocked::rowScratchBytes() const { return tapScratchBytes(g_, g_.cin, 1, kernelsFor(isa_).maxPixels); }

size_t DirectBlocked::workspaceBytes(int threads) const {
  return static_cast<size_t>(std::max(threads, 1)) * rowScratchBytes();
}

void DirectBlocked::row(const RowSource& x, int64_t oy, float* out, int64_t blockStride, void* scratch) const {
  const detail::Kernels& kern = kernelsFor(isa_);
  const int ob = kern.maxOutBlocks;
  const int64_t outBlocks = blocks(g_.cout), ow = g_.outW(x.w);
  const TileEpilogue te = tileEpilogue(nullptr, epilogue_);
  for (int64_t q = 0; q < groups_; ++q) {
    const int64_t first = q * ob, n = std::min<int64_t>(ob, outBlocks - first);
    tapRow(g_, {x, g_.cin, 1}, oy, ow, kern.directTile, kern.maxPixels, n, filters_.get() + q * ob * k_ * kBlock,
           bias_.get() + first * kBlock, isa_, epilogue_, te, out + first * blockStride, blockStride, nullptr, scratch);
  }
}

void DirectBlocked::run(const float* x, int64_t batch, int64_t h, int64_t w, float* y, void* workspace,
                        ThreadPool& pool) const {
  const int64_t oh = g_.outH(h), ow = g_.outW(w);
  if (oh <= 0 || ow <= 0) throw std::invalid_argument("blocked direct: the kernel does not fit in the padded input");
  if (batch <= 0) return;
  const int64_t outBlocks = blocks(g_.cout);
  const size_t scratch = rowScratchBytes();
  pool.parallelFor(batch * oh, [&](int64_t task, int thread) {
    const int64_t oy = task % oh, b = task / oh;
    row(RowSource::image(x + b * g_.cin * h * w, h, w, 1), oy, y + (b * outBlocks * oh + oy) * ow * kBlock, oh * ow * kBlock,
        static_cast<char*>(workspace) + thread * scratch);
  });
}

bool WindowBlocked::hasWideTiles(Isa isa) { return kernelsFor(isa).windowWideTile != nullptr; }

WindowBlocked::WindowBlocked(Isa isa, const ConvGeometry& g, const float* weights, const float* bias,
                             const Epilogue& epilogue, bool wide)
    : isa_(isa), g_(g), wide_(wide && hasWideTiles(isa)), epilogue_(epilogue) {
  if (g.groups != 1 || g.cin <= 0 || g.cout <= 0 || g.kh <= 0 || g.kw <= 0 || g.strideH <= 0 || g.strideW <= 0 ||
      g.dilationH <= 0 || g.dilationW <= 0 || !weights)
    throw std::invalid_argument("blocked window: needs one group and a valid geometry");
  // K rows in the order the tiles read them: (input block, ky, kx, lane), the lanes past cin zero.
  const int64_t taps = g.kh * g.kw, inBlocks = blocks(g.cin), k = inBlocks * taps * kBlock;
  std::vector<float> rows(g.cout * k, 0.f);
  for (int64_t co = 0; co < g.cout; ++co)
    for (int64_t ci = 0; ci < g.cin; ++ci)
      for (int64_t t = 0; t < taps; ++t)
        rows[co * k + ((ci / kBlock) * taps + t) * kBlock + ci % kBlock] = weights[(co * g.cin + ci) * taps + t];
  const detail::Kernels& kern = kernelsFor(isa);
  filters_ = groupedFilters(rows.data(), g.cout, k, wide_ ? kern.wideOutBlocks : kern.maxOutBlocks, &groups_);
  bias_ = paddedBias(bias, g.cout);
}

int WindowBlocked::tilePixels() const { return wide_ ? kernelsFor(isa_).widePixels : kernelsFor(isa_).maxPixels; }

size_t WindowBlocked::rowScratchBytes() const { return tapScratchBytes(g_, blocks(g_.cin), kBlock, tilePixels()); }

size_t WindowBlocked::workspaceBytes(int threads) const {
  return static_cast<size_t>(std::max(threads, 1)) * rowScratchBytes();
}

void WindowBlocked::groupRow(const RowSource& x, int64_t oy, int64_t q, float* out, int64_t blockStride,
                             const float* residual, void* scratch) const {
  const detail::Kernels& kern = kernelsFor(isa_);
  const int ob = wide_ ? kern.wideOutBlocks : kern.maxOutBlocks;
  const int64_t inBlocks = blocks(g_.cin), first = q * ob, n = std::min<int64_t>(ob, blocks(g_.cout) - first);
  tapRow(g_, {x, inBlocks, kBlock}, oy, g_.outW(x.w), wide_ ? kern.windowWideTile : kern.windowTile, tilePixels(), n,
         filters_.get() + q * ob * inBlocks * g_.kh * g_.kw * kBlock * kBlock, bias_.get() + first * kBlock, isa_,
         epilogue_, tileEpilogue(residual, epilogue_), out + first * blockStride, blockStride,
         residual ? residual + first * blockStride : nullptr, scratch);
}

void WindowBlocked::row(const RowSource& x, int64_t oy, float* out, int64_t blockStride, const float* residual,
                        void* scratch) const {
  for (int64_t q = 0; q < groups_; ++q) groupRow(x, oy, q, out, blockStride, residual, scratch);
}

void WindowBlocked::run(const float* x, int64_t batch, int64_t h, int64_t w, const float* residual, float* y,
                        void* workspace, ThreadPool& pool) const {
  const int64_t oh = g_.outH(h), ow = g_.outW(w);
  if (oh <= 0 || ow <= 0) throw std::invalid_argument("blocked window: the kernel does not fit in the padded input");
  if (batch <= 0) return;
  const int64_t inBlocks = blocks(g_.cin), outBlocks = blocks(g_.cout);
  const size_t scratch = rowScratchBytes();
  // A task is a band of output rows and a range of the output block groups, each output row computed
  // for all its groups while its input rows are in cache; at least four tasks per thread.
  const int64_t threads = pool.size();
  const int64_t rows = std::clamp<int64_t>(oh * batch / (8 * threads), 1, oh), bands = (oh + rows - 1) / rows;
  const int64_t chunks = std::clamp<int64_t>((4 * threads + batch * bands - 1) / (batch * bands), 1, groups_);
  const int64_t perChunk = (groups_ + chunks - 1) / chunks;
  pool.parallelFor(batch * bands * chunks, [&](int64_t task, int thread) {
    const int64_t chunk = task % chunks, band = task / chunks % bands, b = task / (chunks * bands);
    const RowSource in = RowSource::image(x + b * inBlocks * h * w * kBlock, h, w, kBlock);
    for (int64_t oy = band * rows; oy < std::min(oh, (band + 1) * rows); ++oy)
      for (int64_t q = chunk * perChunk; q < std::min(groups_, (chunk + 1) * perChunk); ++q) {
        const int64_t at = (b * outBlocks * oh + oy) * ow * kBlock;
        groupRow(in, oy, q, y + at, oh * ow * kBlock, residual ? residual + at : nullptr,
                 static_cast<char*>(workspace) + thread * scratch);
      }
  });
}

WinogradBlocked::WinogradBlocked(Isa isa, const ConvGeometry& g, const float* weights, const float* bias,
                                 const Epilogue& epilogue)
    : isa_(isa), g_(g), epilogue_(epilogue) {
  if (g.groups != 1 || g.cin <= 0 || g.cout <= 0 || g.kh != 3 || g.kw != 3 || g.strideH != 1 || g.strideW != 1 ||
      g.dilationH != 1 || g.dilationW != 1 || !weights)
    throw std::invalid_argument("blocked winograd: needs one group, a 3x3 kernel, stride 1 and dilation 1");
  std::vector<float> u(static_cast<size_t>(winograd::kPoints * g.cout * g.cin));
  winograd::transformWeights(weights, g.cout, g.cin, u.data());
  const int ob = kernelsFor(isa).maxOutBlocks;
  groups_ = groupCount(g.cout, ob);
  pointFloats_ = groups_ * ob * g.cin * kBlock;
  filters_ = allocAlignedFloats(winograd::kPoints * pointFloats_);
  for (int64_t xi = 0; xi < winograd::kPoints; ++xi)
    packGroupedFilters(u.data() + xi * g.cout * g.cin, g.cout, g.cin, ob, filters_.get() + xi * pointFloats_);
  bias_ = paddedBias(bias, g.cout);
}

// A task is a batch item's block of consecutive output tiles (row-major) and a range of the output
// block groups: V for its tiles over every input block, up to ~384 KiB of it, its tiles a multiple
// of the 1x1 tile's pixels; the groups split only where there are fewer than four blocks per thread.
// Each point's matrix is one cache line longer than its data, so that the 36 a transform touches
// do not all fall in one L1 set.
WinogradBlocked::Plan WinogradBlocked::plan(int64_t batch, int64_t h, int64_t w, int threads) const {
  const detail::Kernels& kern = kernelsFor(isa_);
  Plan p{};
  p.tilesW = (g_.outW(w) + 3) / 4;
  p.tiles = p.tilesW * ((g_.outH(h) + 3) / 4);
  const int64_t inBlocks = blocks(g_.cin), perTile = winograd::kPoints * inBlocks * kBlock * 4;
  const int64_t fit = std::clamp<int64_t>((384 << 10) / (perTile * kern.maxPixels), 1, 4);
  p.blockTiles = std::min(fit * kern.maxPixels, p.tiles);
  p.blocks = (p.tiles + p.blockTiles - 1) / p.blockTiles;
  p.chunks = std::clamp<int64_t>((4 * threads + batch * p.blocks - 1) / (batch * p.blocks), 1, groups_);
  p.perChunk = (groups_ + p.chunks - 1) / p.chunks;
  p.vPoint = (inBlocks * p.blockTiles + 1) * kBlock;
  p.mPoint = (p.perChunk * kern.maxOutBlocks * p.blockTiles + 1) * kBlock;
  return p;
}

size_t WinogradBlocked::workspaceBytes(int64_t batch, int64_t h, int64_t w, int threads) const {
  const Plan p = plan(std::max<int64_t>(batch, 1), h, w, std::max(threads, 1));
  return static_cast<size_t>(std::max(threads, 1)) * winograd::kPoints * (p.vPoint + p.mPoint) * sizeof(float);
}

void WinogradBlocked::run(const float* x, int64_t batch, int64_t h, int64_t w, const float* residual, float* y,
                          void* workspace, ThreadPool& pool) const {
  const int64_t oh = g_.outH(h), ow = g_.outW(w);
  if (oh <= 0 || ow <= 0) throw std::invalid_argument("blocked winograd: the kernel does not fit in the padded input");
  if (batch <= 0) return;
  const detail::Kernels& kern = kernelsFor(isa_);
  const int ob = kern.maxOutBlocks;
  const Plan p = plan(batch, h, w, pool.size());
  const int64_t inBlocks = blocks(g_.cin), outBlocks = blocks(g_.cout), T = p.blockTiles;
  pool.parallelFor(batch * p.blocks * p.chunks, [&](int64_t task, int thread) {
    const int64_t chunk = task % p.chunks, block = task / p.chunks % p.blocks, b = task / (p.chunks * p.blocks);
    const int64_t first = block * T, count = std::min(T, p.tiles - first);
    const int64_t q0 = chunk * p.perChunk, q1 = std::min(groups_, q0 + p.perChunk);
    float* v = static_cast<float*>(workspace) + thread * winograd::kPoints * (p.vPoint + p.mPoint);
    float* m = v + winograd::kPoints * p.vPoint;
    for (int64_t cb = 0; cb < inBlocks; ++cb) {
      const float* plane = x + (b * inBlocks + cb) * h * w * kBlock;
      for (int64_t t = 0; t < count; ++t) {
        const int64_t ty = (first + t) / p.tilesW, tx = (first + t) % p.tilesW;
        kern.winogradInput(plane, h, w, 4 * ty - g_.padTop, 4 * tx - g_.padLeft, v + (cb * T + t) * kBlock, p.vPoint);
      }
    }
    for (int64_t xi = 0; xi < winograd::kPoints; ++xi)
      for (int64_t q = q0; q < q1; ++q) {
        const int64_t n = std::min<int64_t>(ob, outBlocks - q * ob);
        const float* f = filters_.get() + xi * pointFloats_ + q * ob * g_.cin * kBlock;
        float* mq = m + xi * p.mPoint + (q - q0) * ob * T * kBlock;
        for (int64_t t = 0; t < count; t += kern.maxPixels) {
          const int pixels = static_cast<int>(std::min<int64_t>(kern.maxPixels, count - t));
          kern.pointwiseTile(pixels, static_cast<int>(n), v + xi * p.vPoint + t * kBlock, g_.cin, T * kBlock, f, nullptr,
                             {mq + t * kBlock, T * kBlock});
        }
      }
    alignas(64) float tile[16 * kBlock];
    for (int64_t ob0 = q0 * ob; ob0 < std::min(outBlocks, q1 * ob); ++ob0)
      for (int64_t t = 0; t < count; ++t) {
        const int64_t ty = (first + t) / p.tilesW, tx = (first + t) % p.tilesW;
        kern.winogradOutput(m + ((ob0 - q0 * ob) * T + t) * kBlock, p.mPoint, bias_.get() + ob0 * kBlock, tile);
        const int64_t rows = std::min<int64_t>(4, oh - 4 * ty), cols = std::min<int64_t>(4, ow - 4 * tx);
        const int64_t at = (((b * outBlocks + ob0) * oh + 4 * ty) * ow + 4 * tx) * kBlock;
        // The tile's rows (4 pixels apart in it, ow in y) finished in place, then stored.
        finishRows(isa_, epilogue_, tile, 4 * kBlock, rows, cols * kBlock, residual ? residual + at : nullptr,
                   ow * kBlock);
        for (int64_t r = 0; r < rows; ++r)
          std::copy(tile + r * 4 * kBlock, tile + (r * 4 + cols) * kBlock, y + at + r * ow * kBlock);
      }
  });
}

}  // namespace kiln::blocked
