// kiln_native_tests --qbench [--quick] [--threads=1,2,...] [--filter=TEXT]: milliseconds of YOLOv5n's
// convolutions in INT8 (u8 output, SiLU) on every supported path, beside the fastest FP32
// algorithm on the default ISA; best of several batches.
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
#include "kernels/conv2d.h"
#include "kernels/qconv2d.h"

using namespace kiln;

namespace {

struct Layer {
  const char* name;
  int64_t cin, cout, k, stride, pad, h, w;
};

const Layer kLayers[] = {
    {"stem 3->16 6x6 s2 p2 @640", 3, 16, 6, 2, 2, 640, 640},
    {"m1 16->32 3x3 s2 @320", 16, 32, 3, 2, 1, 320, 320},
    {"m2 16->16 3x3 p1 @160", 16, 16, 3, 1, 1, 160, 160},
    {"m2.cv1 32->16 1x1 @160", 32, 16, 1, 1, 0, 160, 160},
    {"m3 32->64 3x3 s2 @160", 32, 64, 3, 2, 1, 160, 160},
    {"m17 32->32 3x3 p1 @80", 32, 32, 3, 1, 1, 80, 80},
    {"m5 64->128 3x3 s2 @80", 64, 128, 3, 2, 1, 80, 80},
    {"m7 128->256 3x3 s2 @40", 128, 256, 3, 2, 1, 40, 40},
    {"256->256 3x3 p1 @20", 256, 256, 3, 1, 1, 20, 20},
    {"128->128 1x1 @40", 128, 128, 1, 1, 0, 40, 40},
};

double seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Best seconds per call over batches at least minTime / 10 long, minTime in all.
double timeIt(const std::function<void()>& call, double minTime) {
  call();
  double best = 1e30, total = 0;
  while (total < minTime) {
    int reps = 0;
    const double t0 = seconds();
    double t1 = t0;
    do {
      call();
      ++reps;
      t1 = seconds();
    } while (t1 - t0 < minTime / 10);
    best = std::min(best, (t1 - t0) / reps);
    total += t1 - t0;
  }
  return best;
}

struct AlignedBuffer {
  void* p;
  explicit AlignedBuffer(size_t bytes) : p(::operator new[](std::max<size_t>(bytes, 64), std::align_val_t(64))) {}
  ~AlignedBuffer() { ::operator delete[](p, std::align_val_t(64)); }
};

}  // namespace

int runQConvBenchmarks(int argc, char** argv) {
  bool quick = false;
  std::string filter;
  std::vector<int> threadCounts = {1, 2};
  for (int i = 1; i < argc; ++i) {
    quick = quick || std::strcmp(argv[i], "--quick") == 0;
    if (std::strncmp(argv[i], "--filter=", 9) == 0) filter = argv[i] + 9;
    if (std::strncmp(argv[i], "--threads=", 10) == 0) {
      threadCounts.clear();
      for (const char* s = argv[i] + 10; *s; ++s) {
        threadCounts.push_back(std::max(1, std::atoi(s)));
        while (*s && *s != ',') ++s;
        if (!*s) break;
      }
    }
  }
  const double minTime = quick ? 0.05 : 0.3;
  kt::Random rng(5);
  std::vector<std::unique_ptr<ThreadPool>> pools;
  std::printf("%-28s %-11s", "layer", "path");
  for (int t : threadCounts) {
    pools.push_back(std::make_unique<ThreadPool>(t));
    std::printf(" %14s", (std::to_string(t) + (t == 1 ? " thread" : " threads")).c_str());
  }
  std::printf("   (GMAC/s, ms)\n");
  double totals[8][8] = {};
  for (const Layer& l : kLayers) {
    if (!filter.empty() && std::string(l.name).find(filter) == std::string::npos) continue;
    ConvGeometry g;
    g.cin = l.cin, g.cout = l.cout, g.kh = g.kw = l.k, g.strideH = g.strideW = l.stride;
    g.padTop = g.padLeft = g.padBottom = g.padRight = l.pad;
    const int64_t outCount = l.cout * g.outH(l.h) * g.outW(l.w);
    const double macs = double(outCount) * l.cin * l.k * l.k;
    const std::vector<float> xf = rng.vector(l.cin * l.h * l.w);
    std::vector<uint8_t> xq(xf.size());
    for (size_t i = 0; i < xf.size(); ++i) xq[i] = static_cast<uint8_t>(rng.next() >> 24);
    const std::vector<float> w = rng.vector(l.cout * l.cin * l.k * l.k);
    const std::vector<float> bias = rng.vector(l.cout);
    std::vector<float> yf(outCount);
    std::vector<uint8_t> yq(outCount);
    const Epilogue silu{Activation::Silu};
    const Isa isa = defaultIsa();
    const auto fp32 = Conv2dKernel::create(convAlgorithms(g, isa).front(), isa, g, w.data(), bias.data(), silu);
    std::printf("%-28s %-11s", l.name, (std::string("fp32-") + isaName(isa)).c_str());
    for (size_t t = 0; t < pools.size(); ++t) {
      AlignedBuffer ws(fp32->workspaceBytes(1, l.h, l.w, pools[t]->size()));
      const double s = timeIt([&] { fp32->run(xf.data(), 1, l.h, l.w, yf.data(), ws.p, *pools[t]); }, minTime);
      totals[0][t] += s;
      std::printf(" %6.1f %7.3f", macs / s * 1e-9, s * 1e3);
    }
    std::printf("\n");
    for (Int8Path path : {Int8Path::Scalar, Int8Path::Avx2, Int8Path::AvxVnni, Int8Path::Avx512Vnni, Int8Path::Amx}) {
      if (!int8PathSupported(path) || (path == Int8Path::Scalar && !quick && l.h > 160)) continue;
      QConvOutput out;
      out.quant = {0.05f, 10};
      const auto q = QConv2dKernel::create(path, g, w.data(), bias.data(), silu, {0.02f, 7}, out);
      std::printf("%-28s %-11s", "", int8PathName(path));
      for (size_t t = 0; t < pools.size(); ++t) {
        AlignedBuffer ws(q->workspaceBytes(1, l.h, l.w, pools[t]->size()));
        const double s = timeIt([&] { q->run(xq.data(), 1, l.h, l.w, yq.data(), nullptr, ws.p, *pools[t]); }, minTime);
        totals[1 + static_cast<int>(path)][t] += s;
        std::printf(" %6.1f %7.3f", macs / s * 1e-9, s * 1e3);
      }
      std::printf("\n");
      std::fflush(stdout);
    }
  }
  std::printf("%-28s %-11s", "total ms", (std::string("fp32-") + isaName(defaultIsa())).c_str());
  for (size_t t = 0; t < pools.size(); ++t) std::printf(" %14.3f", totals[0][t] * 1e3);
  std::printf("\n");
  for (Int8Path path : {Int8Path::Avx2, Int8Path::AvxVnni, Int8Path::Avx512Vnni}) {
    if (!int8PathSupported(path)) continue;
    std::printf("%-28s %-11s", "", int8PathName(path));
    for (size_t t = 0; t < pools.size(); ++t) std::printf(" %14.3f", totals[1 + static_cast<int>(path)][t] * 1e3);
    std::printf("\n");
  }
  return 0;
}
