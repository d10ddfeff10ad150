#pragma once
#include <cstdint>

#include "kernels/blocked_conv.h"

namespace kiln::blocked {

// An image stem (a convolution from an NCHW input of few channels to a blocked output) and the
// one-group blocked convolution that reads it, with an optional blocked residual on the latter.
// Fused: row by row, each thread computing the stem rows the convolution's window reaches into a
// ring of as many rows, so that the stem's output (the network's largest tensor) never leaves the
// cache. Otherwise one after the other, the stem's output in the workspace.
class StemConvBlocked {
 public:
  StemConvBlocked(Isa isa, const ConvGeometry& stem, const float* stemWeights, const float* stemBias,
                  const Epilogue& stemEpilogue, const ConvGeometry& conv, const float* convWeights, const float* convBias,
                  const Epilogue& convEpilogue, bool wide, bool fused);
  size_t workspaceBytes(int64_t batch, int64_t h, int64_t w, int threads) const;
  // x: [batch, cin, h, w]; y and residual (or null): [batch, blocks(cout), oh, ow, 16] after both
  // convolutions. workspace: workspaceBytes() bytes, 64-byte aligned.
  void run(const float* x, int64_t batch, int64_t h, int64_t w, const float* residual, float* y, void* workspace,
           ThreadPool& pool) const;

 private:
  int64_t ringRows() const;
  size_t ringFloats(int64_t w) const;  // one thread's ring, stem rows of an image w wide
  size_t rowScratchBytes(int64_t w) const;  // one thread's: its ring, then the two row scratches
  void runFused(const float* x, int64_t batch, int64_t h, int64_t w, const float* residual, float* y, char* workspace,
                ThreadPool& pool) const;

  DirectBlocked stem_;
  WindowBlocked conv_;
  bool fused_;
};

}  // namespace kiln::blocked
