#include "kernels/blocked_stem.h"

#include <algorithm>
#include <stdexcept>

namespace kiln::blocked {

namespace {
size_t aligned64(size_t bytes) { return (bytes + 63) / 64 * 64; }
}  // namespace

StemConvBlocked::StemConvBlocked(Isa isa, const ConvGeometry& stem, const float* stemWeights, const float* stemBias,
                                 const Epilogue& stemEpilogue, const ConvGeometry& conv, const float* convWeights,
                                 const float* convBias, const Epilogue& convEpilogue, bool wide, bool fused)
    : stem_(isa, stem, stemWeights, stemBias, stemEpilogue),
      conv_(isa, conv, convWeights, convBias, convEpilogue, wide),
      fused_(fused) {
  if (conv.cin != stem.cout) throw std::invalid_argument("blocked stem: the convolution does not read the stem's channels");
}

int64_t StemConvBlocked::ringRows() const {
  const ConvGeometry& g = conv_.geometry();
  return (g.kh - 1) * g.dilationH + 1;
}

size_t StemConvBlocked::ringFloats(int64_t w) const {
  const int64_t w1 = stem_.geometry().outW(w);
  return static_cast<size_t>(ringRows() * blocks(stem_.geometry().cout) * w1 * kBlock);
}

size_t StemConvBlocked::rowScratchBytes(int64_t w) const {
  return aligned64(ringFloats(w) * sizeof(float)) + aligned64(stem_.rowScratchBytes()) + aligned64(conv_.rowScratchBytes());
}

size_t StemConvBlocked::workspaceBytes(int64_t batch, int64_t h, int64_t w, int threads) const {
  const size_t perThread = static_cast<size_t>(std::max(threads, 1));
  if (fused_) return perThread * rowScratchBytes(w);
  const ConvGeometry& s = stem_.geometry();
  const size_t between = static_cast<size_t>(std::max<int64_t>(batch, 1) * blocks(s.cout) * s.outH(h) * s.outW(w) * kBlock);
  return aligned64(between * sizeof(float)) + std::max(stem_.workspaceBytes(threads), conv_.workspaceBytes(threads));
}

void StemConvBlocked::run(const float* x, int64_t batch, int64_t h, int64_t w, const float* residual, float* y,
                          void* workspace, ThreadPool& pool) const {
  const ConvGeometry &s = stem_.geometry(), &c = conv_.geometry();
  const int64_t h1 = s.outH(h), w1 = s.outW(w);
  if (h1 <= 0 || w1 <= 0 || c.outH(h1) <= 0 || c.outW(w1) <= 0)
    throw std::invalid_argument("blocked stem: a kernel does not fit in its padded input");
  if (batch <= 0) return;
  auto* bytes = static_cast<char*>(workspace);
  if (fused_) return runFused(x, batch, h, w, residual, y, bytes, pool);
  auto* between = reinterpret_cast<float*>(bytes);
  char* scratch = bytes + aligned64(static_cast<size_t>(batch * blocks(s.cout) * h1 * w1 * kBlock) * sizeof(float));
  stem_.run(x, batch, h, w, between, scratch, pool);
  conv_.run(between, batch, h1, w1, residual, y, scratch, pool);
}

// A task is a band of output rows of one image, about four per thread in all and at least eight
// rows each where there are that many (each band computes the stem rows its window shares with
// the band before again).
void StemConvBlocked::runFused(const float* x, int64_t batch, int64_t h, int64_t w, const float* residual, float* y,
                               char* workspace, ThreadPool& pool) const {
  const ConvGeometry &s = stem_.geometry(), &c = conv_.geometry();
  const int64_t h1 = s.outH(h), w1 = s.outW(w), h2 = c.outH(h1), w2 = c.outW(w1);
  const int64_t midBlocks = blocks(s.cout), outBlocks = blocks(c.cout), ring = ringRows();
  const int64_t wanted = std::clamp<int64_t>((4 * pool.size() + batch - 1) / batch, 1, std::max<int64_t>(h2 / 8, 1));
  const int64_t perBand = (h2 + wanted - 1) / wanted, bands = (h2 + perBand - 1) / perBand;
  const size_t scratch = rowScratchBytes(w);
  pool.parallelFor(batch * bands, [&](int64_t task, int thread) {
    const int64_t b = task / bands, oy0 = task % bands * perBand, oy1 = std::min(h2, oy0 + perBand);
    char* mine = workspace + thread * scratch;
    auto* rows = reinterpret_cast<float*>(mine);
    char* stemScratch = mine + aligned64(ringFloats(w) * sizeof(float));
    char* convScratch = stemScratch + aligned64(stem_.rowScratchBytes());
    const RowSource image = RowSource::image(x + b * s.cin * h * w, h, w, 1);
    const RowSource stemRows{rows, h1, w1, w1 * kBlock, midBlocks * w1 * kBlock, ring};
    int64_t next = 0;  // the first stem row not yet computed
    for (int64_t oy = oy0; oy < oy1; ++oy) {
      const int64_t iy0 = oy * c.strideH - c.padTop;
      for (next = std::max({next, iy0, int64_t{0}}); next < std::min(h1, iy0 + ring); ++next)
        stem_.row(image, next, rows + next % ring * midBlocks * w1 * kBlock, w1 * kBlock, stemScratch);
      const int64_t at = (b * outBlocks * h2 + oy) * w2 * kBlock;
      conv_.row(stemRows, oy, y + at, h2 * w2 * kBlock, residual ? residual + at : nullptr, convScratch);
    }
  });
}

}  // namespace kiln::blocked
