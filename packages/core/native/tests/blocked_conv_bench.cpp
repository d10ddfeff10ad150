// kiln_native_tests --bbench [--threads=N] [--cold] [--filter=TEXT] [--no-activation]
// [--isa=NAME] [--batch=N]: MobileNetV2's and YOLOv5's layers as NCHW kernels (the best GEMM
// tactic, the direct depthwise kernel) against the NCHW16c blocked kernels, then MobileNetV2's
// inverted residual blocks row by row against their three blocked layers (at --batch), milliseconds
// per run, median of runs (--cold: each after the caches were filled with other data).
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "check.h"
#include "kernels/blocked_bottleneck.h"
#include "kernels/blocked_conv.h"
#include "kernels/conv2d.h"
#include "kernels/depthwise_conv2d.h"

using namespace kiln;

namespace {

struct BlockedLayer {
  const char* name;
  int64_t cin, cout, k, stride, size;  // k = 1: pointwise; cin < 8: a stem; cin = cout: depthwise
  bool dense = false;                  // a one-group convolution (the blocked window kernel)
};

const BlockedLayer kLayers[] = {
    {"32->16 1x1 @112", 32, 16, 1, 1, 112},   {"16->96 1x1 @112", 16, 96, 1, 1, 112},
    {"144->24 1x1 @56", 144, 24, 1, 1, 56},   {"24->144 1x1 @56", 24, 144, 1, 1, 56},
    {"192->32 1x1 @28", 192, 32, 1, 1, 28},   {"576->96 1x1 @14", 576, 96, 1, 1, 14},
    {"960->320 1x1 @7", 960, 320, 1, 1, 7},   {"320->1280 1x1 @7", 320, 1280, 1, 1, 7},
    {"dw 96 s2 @112", 96, 96, 3, 2, 112},     {"dw 144 @56", 144, 144, 3, 1, 56},
    {"dw 192 @28", 192, 192, 3, 1, 28},       {"dw 576 @14", 576, 576, 3, 1, 14},
    {"dw 960 @7", 960, 960, 3, 1, 7},
    {"stem 3->32 3x3/2 @224", 3, 32, 3, 2, 224},   {"stem 3->64 7x7/2 @224", 3, 64, 7, 2, 224},
    {"stem 3->16 6x6/2 @640", 3, 16, 6, 2, 640},   {"stem 3->32 6x6/2 @640", 3, 32, 6, 2, 640},
    {"y5n 16->32 3x3/2 @320", 16, 32, 3, 2, 320, true},  {"y5n 32->16 1x1 @160", 32, 16, 1, 1, 160, true},
    {"y5s 32->64 3x3/2 @320", 32, 64, 3, 2, 320, true},  {"y5s 64->128 3x3/2 @160", 64, 128, 3, 2, 160, true},
    {"y5s 128->256 3x3/2 @80", 128, 256, 3, 2, 80, true}, {"y5s 256->512 3x3/2 @40", 256, 512, 3, 2, 40, true},
    {"y5s 64->32 1x1 @160", 64, 32, 1, 1, 160, true},    {"y5s 64->64 1x1 @160", 64, 64, 1, 1, 160, true},
    {"y5s 32->32 3x3 @160", 32, 32, 3, 1, 160, true},    {"y5s 64->64 3x3 @80", 64, 64, 3, 1, 80, true},
    {"y5s 128->128 3x3 @40", 128, 128, 3, 1, 40, true},  {"y5s 256->256 3x3 @20", 256, 256, 3, 1, 20, true},
};

struct BottleneckBlock {
  const char* name;
  int64_t cin, mid, cout, stride, size;  // mid == cin: no expansion
};

const BottleneckBlock kBlocks[] = {
    {"mbv2 block 32-32-16 @112", 32, 32, 16, 1, 112},     {"mbv2 block 16-96-24 /2 @112", 16, 96, 24, 2, 112},
    {"mbv2 block 24-144-24 @56", 24, 144, 24, 1, 56},     {"mbv2 block 24-144-32 /2 @56", 24, 144, 32, 2, 56},
    {"mbv2 block 32-192-32 @28", 32, 192, 32, 1, 28},     {"mbv2 block 64-384-64 @14", 64, 384, 64, 1, 14},
    {"mbv2 block 96-576-96 @14", 96, 576, 96, 1, 14},     {"mbv2 block 160-960-160 @7", 160, 960, 160, 1, 7},
};

// A 64-byte aligned scratch buffer.
struct Scratch {
  explicit Scratch(size_t bytes) : p(::operator new[](std::max<size_t>(bytes, 64), std::align_val_t(64))) {}
  ~Scratch() { ::operator delete[](p, std::align_val_t(64)); }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  void* p;
};

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

double medianMs(const std::function<void()>& run, bool cold, std::vector<float>& flush) {
  run();
  std::vector<double> times;
  double total = 0;
  while (total < 0.3 || times.size() < 5) {
    if (cold)
      for (size_t i = 0; i < flush.size(); i += 16) flush[i] += 1.f;
    const double t0 = now();
    run();
    times.push_back(now() - t0);
    total += times.back();
  }
  std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
  return times[times.size() / 2] * 1e3;
}

}  // namespace

int runBlockedBenchmarks(int argc, char** argv) {
  int threads = 1;
  bool cold = false, noActivation = false;
  std::string filter, onlyIsa;
  int64_t batch = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--batch=", 8) == 0) batch = std::max(1, std::atoi(argv[i] + 8));
    if (std::strncmp(argv[i], "--threads=", 10) == 0) threads = std::max(1, std::atoi(argv[i] + 10));
    cold = cold || std::strcmp(argv[i], "--cold") == 0;
    if (std::strncmp(argv[i], "--filter=", 9) == 0) filter = argv[i] + 9;
    noActivation = noActivation || std::strcmp(argv[i], "--no-activation") == 0;
    if (std::strncmp(argv[i], "--isa=", 6) == 0) onlyIsa = argv[i] + 6;
  }
  std::vector<float> flush(cold ? (64 << 20) / sizeof(float) : 0);
  ThreadPool pool(threads);
  kt::Random rng(3);
  Isa isa = supportedIsas().back();
  for (Isa candidate : supportedIsas())
    if (onlyIsa == isaName(candidate)) isa = candidate;
  std::printf("%-22s %-8s %10s %10s   (ms, %d thread(s)%s)\n", "layer", "isa", "nchw", "blocked", threads, cold ? ", cold" : "");
  for (const BlockedLayer& l : kLayers) {
    if (!filter.empty() && std::string(l.name).find(filter) == std::string::npos) continue;
    const int64_t plane = l.size * l.size;
    const std::vector<float> x = rng.vector(l.cin * plane), weights = rng.vector(l.cout * (l.k == 1 || l.cin < 8 || l.dense ? l.cin : 1) * l.k * l.k),
                             bias = rng.vector(l.cout);
    std::vector<float> xb(blocked::blocks(l.cin) * 16 * plane), yb(blocked::blocks(l.cout) * 16 * plane), y(l.cout * plane);
    blocked::toBlocked(isa, x.data(), 1, l.cin, plane, xb.data(), pool);
    const Epilogue clip = noActivation ? Epilogue{} : Epilogue{Activation::Clip, 0.f, 6.f};
    const Epilogue silu = noActivation ? Epilogue{} : Epilogue{Activation::Silu};
    ConvGeometry g;
    g.cin = l.cin, g.cout = l.cout, g.kh = g.kw = l.k, g.strideH = g.strideW = l.stride;
    double nchw = 0, blockedMs = 0, winogradMs = 0, wideMs = 0;
    // The fastest GEMM tactic for g.
    auto bestNchw = [&](const Epilogue& e, float* out) {
      double best = 1e30;
      for (ConvAlgo algo : convAlgorithms(g, isa)) {
        const auto kernel = Conv2dKernel::create(algo, isa, g, weights.data(), bias.data(), e);
        const Scratch ws(kernel->workspaceBytes(1, l.size, l.size, threads));
        best = std::min(best, medianMs([&] { kernel->run(x.data(), 1, l.size, l.size, out, ws.p, pool); }, cold, flush));
      }
      return best;
    };
    auto timeWindow = [&](bool wide, float* out) {
      const blocked::WindowBlocked kernel(isa, g, weights.data(), bias.data(), silu, wide);
      const Scratch ws(kernel.workspaceBytes(threads));
      return medianMs([&] { kernel.run(xb.data(), 1, l.size, l.size, nullptr, out, ws.p, pool); }, cold, flush);
    };
    if (l.dense) {
      const int64_t pad = l.k / 2, out = (l.size + 2 * pad - l.k) / l.stride + 1;
      g.padTop = g.padLeft = g.padBottom = g.padRight = pad;
      std::vector<float> ys(l.cout * out * out), yblk(blocked::blocks(l.cout) * 16 * out * out);
      nchw = bestNchw(silu, ys.data());
      blockedMs = timeWindow(false, yblk.data());
      if (blocked::WindowBlocked::hasWideTiles(isa)) wideMs = timeWindow(true, yblk.data());
      if (l.k == 3 && l.stride == 1) {
        const blocked::WinogradBlocked wk(isa, g, weights.data(), bias.data(), silu);
        const Scratch ws(wk.workspaceBytes(1, l.size, l.size, threads));
        winogradMs = medianMs([&] { wk.run(xb.data(), 1, l.size, l.size, nullptr, yblk.data(), ws.p, pool); }, cold, flush);
      }
    } else if (l.cin < 8) {
      const int64_t pad = l.k == 6 ? 2 : l.k / 2, out = (l.size + 2 * pad - l.k) / l.stride + 1;
      g.padTop = g.padLeft = g.padBottom = g.padRight = pad;
      std::vector<float> ys(l.cout * out * out), yblk(blocked::blocks(l.cout) * 16 * out * out);
      nchw = bestNchw(clip, ys.data());
      const blocked::DirectBlocked kernel(isa, g, weights.data(), bias.data(), clip);
      const Scratch ws(kernel.workspaceBytes(threads));
      blockedMs = medianMs([&] { kernel.run(x.data(), 1, l.size, l.size, yblk.data(), ws.p, pool); }, cold, flush);
    } else if (l.k == 1) {
      nchw = bestNchw(clip, y.data());
      const blocked::PointwiseBlocked kernel(isa, l.cin, l.cout, weights.data(), bias.data(), clip);
      blockedMs = medianMs([&] { kernel.run(xb.data(), 1, plane, nullptr, yb.data(), pool); }, cold, flush);
    } else {
      g.groups = l.cin, g.padTop = g.padLeft = g.padBottom = g.padRight = 1;
      const DepthwiseConv2d kernel(isa, g, weights.data(), bias.data(), clip);
      const Scratch ws(kernel.workspaceBytes(l.size, l.size, threads));
      nchw = medianMs([&] { kernel.run(x.data(), 1, l.size, l.size, y.data(), ws.p, pool); }, cold, flush);
      const blocked::DepthwiseBlocked bk(isa, g, weights.data(), bias.data(), clip);
      blockedMs = medianMs([&] { bk.run(xb.data(), 1, l.size, l.size, yb.data(), pool); }, cold, flush);
    }
    std::printf("%-22s %-8s %10.3f %10.3f", l.name, isaName(isa), nchw, blockedMs);
    if (wideMs > 0) std::printf(" %10.3f (wide tiles)", wideMs);
    if (winogradMs > 0) std::printf(" %10.3f (blocked winograd)", winogradMs);
    std::printf("\n");
    std::fflush(stdout);
  }
  std::printf("%-28s %-8s %10s %10s   (ms, batch %lld)\n", "block", "isa", "layers", "rows", static_cast<long long>(batch));
  for (const BottleneckBlock& b : kBlocks) {
    if (!filter.empty() && std::string(b.name).find(filter) == std::string::npos) continue;
    const std::vector<float> ew = rng.vector(b.mid * b.cin), dw = rng.vector(b.mid * 9), pw = rng.vector(b.cout * b.mid),
                             bias = rng.vector(b.mid + b.cout);
    blocked::BottleneckWeights w;
    w.cin = b.cin, w.cout = b.cout;
    if (b.mid != b.cin) w.expand = ew.data(), w.expandBias = bias.data(), w.expandEpilogue = {Activation::Clip, 0.f, 6.f};
    w.depthwise.cin = w.depthwise.cout = w.depthwise.groups = b.mid, w.depthwise.kh = w.depthwise.kw = 3;
    w.depthwise.strideH = w.depthwise.strideW = b.stride;
    w.depthwise.padTop = w.depthwise.padLeft = w.depthwise.padBottom = w.depthwise.padRight = 1;
    w.depthwiseWeights = dw.data(), w.depthwiseBias = bias.data(), w.depthwiseEpilogue = {Activation::Clip, 0.f, 6.f};
    w.project = pw.data(), w.projectBias = bias.data() + b.mid;
    const int64_t out = (b.size - 1) / b.stride + 1;
    const std::vector<float> xb = rng.vector(batch * blocked::blocks(b.cin) * 16 * b.size * b.size);
    std::vector<float> yb(batch * blocked::blocks(b.cout) * 16 * out * out);
    double ms[2];
    for (bool fused : {false, true}) {
      const blocked::BottleneckBlocked kernel(isa, w, fused);
      const Scratch ws(kernel.workspaceBytes(batch, b.size, b.size, threads));
      ms[fused] = medianMs([&] { kernel.run(xb.data(), batch, b.size, b.size, nullptr, yb.data(), ws.p, pool); }, cold, flush);
    }
    std::printf("%-28s %-8s %10.3f %10.3f\n", b.name, isaName(isa), ms[0], ms[1]);
    std::fflush(stdout);
  }
  return 0;
}
