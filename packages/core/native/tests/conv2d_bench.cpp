// kiln_native_tests --bench [--quick] [--yolo] [--isa=NAME] [--filter=TEXT] [--threads=1,2,...]
// [--no-activation] [--batch=N] [--cold]: GFLOP/s and milliseconds of YOLOv5n's convolutions (--yolo: only those) and a
// few more (SiLU epilogue unless --no-activation, batch N or 1) per ISA, algorithm and thread count; best of several batches. --isa runs one
// ISA, --filter only the layers whose name contains TEXT. --cold: the median of single runs, each after the
// caches were filled with other data (as a layer may meet its input and output inside a network).
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <cstring>
#include <memory>
#include <iterator>
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

// The first group: yolov5n's most expensive convolutions at 640x640 (--yolo runs only these).
const Layer kLayers[] = {
    {"stem 3->16 6x6 s2 p2 @640", 3, 16, 6, 2, 2, 640, 640},
    {"m1 16->32 3x3 s2 @320", 16, 32, 3, 2, 1, 320, 320},
    {"m3 32->64 3x3 s2 @160", 32, 64, 3, 2, 1, 160, 160},
    {"m5 64->128 3x3 s2 @80", 64, 128, 3, 2, 1, 80, 80},
    {"m7 128->256 3x3 s2 @40", 128, 256, 3, 2, 1, 40, 40},
    {"m24 64->255 1x1 @80 (head)", 64, 255, 1, 1, 0, 80, 80},
    {"m2 16->16 3x3 p1 @160", 16, 16, 3, 1, 1, 160, 160},
    {"m17 32->32 3x3 p1 @80", 32, 32, 3, 1, 1, 80, 80},
    {"m6 64->64 3x3 p1 @40", 64, 64, 3, 1, 1, 40, 40},
    {"m8 128->128 3x3 p1 @20", 128, 128, 3, 1, 1, 20, 20},
    {"m2.cv1 32->16 1x1 @160", 32, 16, 1, 1, 0, 160, 160},
    {"m2.cv3 32->32 1x1 @160", 32, 32, 1, 1, 0, 160, 160},
};
constexpr int kYoloLayers = 12;

const Layer kOtherLayers[] = {
    {"32->32 3x3 p1 @160", 32, 32, 3, 1, 1, 160, 160},
    {"64->64 1x1 @80", 64, 64, 1, 1, 0, 80, 80},
    {"128->128 3x3 s2 p1 @80", 128, 128, 3, 2, 1, 80, 80},
    {"256->256 3x3 p1 @20", 256, 256, 3, 1, 1, 20, 20},
    {"256->255 1x1 @40 (head)", 256, 255, 1, 1, 0, 40, 40},
    {"512->512 1x1 @64 (big GEMM)", 512, 512, 1, 1, 0, 64, 64},
    {"ResNet-18 512->512 3x3 p1 @7", 512, 512, 3, 1, 1, 7, 7},
    {"ResNet-18 256->512 3x3 s2 p1 @14", 256, 512, 3, 2, 1, 14, 14},
    {"ResNet-18 128->128 3x3 p1 @28", 128, 128, 3, 1, 1, 28, 28},
    {"MobileNetV2 16->96 1x1 @112", 16, 96, 1, 1, 0, 112, 112},
    {"MobileNetV2 24->144 1x1 @56", 24, 144, 1, 1, 0, 56, 56},
    {"MobileNetV2 960->320 1x1 @7", 960, 320, 1, 1, 0, 7, 7},
    {"MobileNetV2 32->16 1x1 @112", 32, 16, 1, 1, 0, 112, 112},
    {"MobileNetV2 144->24 1x1 @56", 144, 24, 1, 1, 0, 56, 56},
    {"MobileNetV2 32->192 1x1 @28", 32, 192, 1, 1, 0, 28, 28},
};

double seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

int runConvBenchmarks(int argc, char** argv) {
  bool quick = false, yoloOnly = false, noActivation = false, cold = false;
  int64_t batch = 1;
  std::string onlyIsa, filter;
  std::vector<int> threadCounts = {1, 2};
  for (int i = 1; i < argc; ++i) {
    quick = quick || std::strcmp(argv[i], "--quick") == 0;
    yoloOnly = yoloOnly || std::strcmp(argv[i], "--yolo") == 0;
    noActivation = noActivation || std::strcmp(argv[i], "--no-activation") == 0;
    cold = cold || std::strcmp(argv[i], "--cold") == 0;
    if (std::strncmp(argv[i], "--isa=", 6) == 0) onlyIsa = argv[i] + 6;
    if (std::strncmp(argv[i], "--filter=", 9) == 0) filter = argv[i] + 9;
    if (std::strncmp(argv[i], "--batch=", 8) == 0) batch = std::max(1, std::atoi(argv[i] + 8));
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
  std::vector<float> flush(cold ? (64 << 20) / sizeof(float) : 0);
  std::vector<std::unique_ptr<ThreadPool>> pools;
  std::printf("%-30s %-8s %-15s", "layer", "isa", "algorithm");
  for (int t : threadCounts) {
    pools.push_back(std::make_unique<ThreadPool>(t));
    std::printf(" %16s", (std::to_string(t) + (t == 1 ? " thread" : " threads")).c_str());
  }
  std::printf("   (GFLOP/s, ms)\n");
  std::vector<Layer> layers(kLayers, kLayers + kYoloLayers);
  if (!yoloOnly) layers.insert(layers.end(), std::begin(kOtherLayers), std::end(kOtherLayers));
  for (const Layer& l : layers) {
    if (!filter.empty() && std::string(l.name).find(filter) == std::string::npos) continue;
    ConvGeometry g;
    g.cin = l.cin, g.cout = l.cout, g.kh = g.kw = l.k, g.strideH = g.strideW = l.stride;
    g.padTop = g.padLeft = g.padBottom = g.padRight = l.pad;
    const std::vector<float> x = rng.vector(batch * l.cin * l.h * l.w);
    const std::vector<float> w = rng.vector(l.cout * l.cin * l.k * l.k);
    const std::vector<float> bias = rng.vector(l.cout);
    std::vector<float> y(batch * l.cout * g.outH(l.h) * g.outW(l.w));
    const double flops = 2.0 * batch * l.cout * l.cin * l.k * l.k * g.outH(l.h) * g.outW(l.w);
    for (Isa isa : supportedIsas()) {
      if (!onlyIsa.empty() && onlyIsa != isaName(isa)) continue;
      for (ConvAlgo algo : convAlgorithms(g, isa)) {
        const auto kernel = Conv2dKernel::create(algo, isa, g, w.data(), bias.data(),
                                                  {noActivation ? Activation::None : Activation::Silu});
        std::printf("%-30s %-8s %-15s", l.name, isaName(isa), convAlgoName(algo));
        for (auto& pool : pools) {
          const size_t bytes = kernel->workspaceBytes(batch, l.h, l.w, pool->size());
          void* ws = ::operator new[](std::max<size_t>(bytes, 64), std::align_val_t(64));
          kernel->run(x.data(), batch, l.h, l.w, y.data(), ws, *pool);
          // Best of batches at least minTime / 10 long each, minTime in all; or, cold, the median.
          double best = 1e30, total = 0;
          std::vector<double> coldRuns;
          while (cold && total < minTime) {
            for (size_t i = 0; i < flush.size(); i += 16) flush[i] += 1.f;
            const double t0 = seconds();
            kernel->run(x.data(), batch, l.h, l.w, y.data(), ws, *pool);
            coldRuns.push_back(seconds() - t0);
            total += coldRuns.back();
          }
          if (cold) {
            std::nth_element(coldRuns.begin(), coldRuns.begin() + coldRuns.size() / 2, coldRuns.end());
            best = coldRuns[coldRuns.size() / 2];
          }
          while (total < minTime) {
            int reps = 0;
            const double t0 = seconds();
            double t1 = t0;
            do {
              kernel->run(x.data(), batch, l.h, l.w, y.data(), ws, *pool);
              ++reps;
              t1 = seconds();
            } while (t1 - t0 < minTime / 10);
            best = std::min(best, (t1 - t0) / reps);
            total += t1 - t0;
          }
          ::operator delete[](ws, std::align_val_t(64));
          std::printf(" %8.1f %7.3f", flops / best * 1e-9, best * 1e3);
          std::fflush(stdout);
        }
        std::printf("\n");
      }
    }
  }
  return 0;
}
