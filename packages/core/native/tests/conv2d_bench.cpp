// kiln_native_tests --bench [--quick] [--threads=1,2,...]: GFLOP/s of a few YOLOv5n-like
// convolutions (SiLU epilogue, batch 1) per ISA, algorithm and thread count; best of several batches.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <cstring>
#include <memory>
#include <new>
#include <vector>

#include "check.h"
#include "kernels/conv2d.h"

using namespace kiln;

namespace {

struct Layer {
  const char* name;
  int64_t cin, cout, k, stride, pad, h, w;
};

const Layer kLayers[] = {
    {"stem 3->16 6x6 s2 p2 @640", 3, 16, 6, 2, 2, 640, 640},
    {"32->32 3x3 p1 @160", 32, 32, 3, 1, 1, 160, 160},
    {"64->64 1x1 @80", 64, 64, 1, 1, 0, 80, 80},
    {"128->128 3x3 s2 p1 @80", 128, 128, 3, 2, 1, 80, 80},
    {"256->256 3x3 p1 @20", 256, 256, 3, 1, 1, 20, 20},
    {"256->255 1x1 @40 (head)", 256, 255, 1, 1, 0, 40, 40},
    {"512->512 1x1 @64 (big GEMM)", 512, 512, 1, 1, 0, 64, 64},
};

double seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

int runConvBenchmarks(int argc, char** argv) {
  bool quick = false;
  std::vector<int> threadCounts = {1, 2};
  for (int i = 1; i < argc; ++i) {
    quick = quick || std::strcmp(argv[i], "--quick") == 0;
    if (std::strncmp(argv[i], "--threads=", 10) == 0) {
      threadCounts.clear();
      const std::string list = argv[i] + 10;
      for (size_t at = 0; at < list.size(); at = list.find(',', at) + 1) {
        threadCounts.push_back(std::max(1, std::atoi(list.c_str() + at)));
        if (list.find(',', at) == std::string::npos) break;
      }
    }
  }
  const double minTime = quick ? 0.05 : 0.4;
  kt::Random rng(7);
  std::vector<std::unique_ptr<ThreadPool>> pools;
  std::printf("%-30s %-8s %-14s", "layer", "isa", "algorithm");
  for (int t : threadCounts) {
    pools.push_back(std::make_unique<ThreadPool>(t));
    std::printf(" %10s", (std::to_string(t) + (t == 1 ? " thread" : " threads")).c_str());
  }
  std::printf("   (GFLOP/s)\n");
  for (const Layer& l : kLayers) {
    ConvGeometry g;
    g.cin = l.cin, g.cout = l.cout, g.kh = g.kw = l.k, g.strideH = g.strideW = l.stride;
    g.padTop = g.padLeft = g.padBottom = g.padRight = l.pad;
    const std::vector<float> x = rng.vector(l.cin * l.h * l.w);
    const std::vector<float> w = rng.vector(l.cout * l.cin * l.k * l.k);
    const std::vector<float> bias = rng.vector(l.cout);
    std::vector<float> y(l.cout * g.outH(l.h) * g.outW(l.w));
    const double flops = 2.0 * l.cout * l.cin * l.k * l.k * g.outH(l.h) * g.outW(l.w);
    for (Isa isa : supportedIsas()) {
      for (ConvAlgo algo : convAlgorithms(g, isa)) {
        const auto kernel = Conv2dKernel::create(algo, isa, g, w.data(), bias.data(), {Activation::Silu});
        std::printf("%-30s %-8s %-14s", l.name, isaName(isa), convAlgoName(algo));
        for (auto& pool : pools) {
          const size_t bytes = kernel->workspaceBytes(1, l.h, l.w, pool->size());
          void* ws = ::operator new[](std::max<size_t>(bytes, 64), std::align_val_t(64));
          kernel->run(x.data(), 1, l.h, l.w, y.data(), ws, *pool);
          // Best of batches at least minTime / 10 long each, minTime in all.
          double best = 1e30, total = 0;
          while (total < minTime) {
            int reps = 0;
            const double t0 = seconds();
            double t1 = t0;
            do {
              kernel->run(x.data(), 1, l.h, l.w, y.data(), ws, *pool);
              ++reps;
              t1 = seconds();
            } while (t1 - t0 < minTime / 10);
            best = std::min(best, (t1 - t0) / reps);
            total += t1 - t0;
          }
          ::operator delete[](ws, std::align_val_t(64));
          std::printf(" %10.1f", flops / best * 1e-9);
          std::fflush(stdout);
        }
        std::printf("\n");
      }
    }
  }
  return 0;
}
