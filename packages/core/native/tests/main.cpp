// kiln_native_tests: the native engine's tests, or with --bench / --qbench / --bbench the FP32 / INT8 / blocked
// convolution benchmarks.
#include <cstdarg>
#include <cstring>

#include "check.h"
#include "runtime/cpu_features.h"

namespace kt {
namespace {
int gFailures = 0;
constexpr int kMaxPrinted = 20;
}  // namespace

int failures() { return gFailures; }

void fail(const char* file, int line, const std::string& what) {
  if (++gFailures <= kMaxPrinted) std::printf("  FAILED %s:%d: %s\n", file, line, what.c_str());
  if (gFailures == kMaxPrinted + 1) std::printf("  (further failures not printed)\n");
}

std::string format(const char* fmt, ...) {
  char buf[512];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, args);
  va_end(args);
  return buf;
}

bool reportGroup(const std::string& name, int failuresBefore, const std::string& detail) {
  const int n = gFailures - failuresBefore;
  if (n == 0)
    std::printf("[ ok ] %s: %s\n", name.c_str(), detail.c_str());
  else
    std::printf("[FAIL] %s: %s (%d failures)\n", name.c_str(), detail.c_str(), n);
  std::fflush(stdout);
  return n == 0;
}

}  // namespace kt

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--bench") == 0) return runConvBenchmarks(argc, argv);
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--qbench") == 0) return runQConvBenchmarks(argc, argv);
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--bbench") == 0) return runBlockedBenchmarks(argc, argv);

  std::printf("CPU ISAs:");
  for (kiln::Isa isa : kiln::supportedIsas()) std::printf(" %s", kiln::isaName(isa));
  std::printf("\n");
  if (!kiln::cpuSupports(kiln::Isa::Avx512)) std::printf("note: this CPU has no AVX-512: that ISA is skipped\n");

  testThreadPool();
  testActivations();
  testConv2d();
  testQuantize();
  testQConv2dPacking();
  testQConv2d();
  testYoloDecode();
  testYoloHead();
  testMaxPool3x3();
  testOutputBufferPool();
  testDepthwiseConv2d();
  testBlockedConv();
  testBlockedBottleneck();
  testBlockedStem();
  testDense();

  if (kt::failures() == 0) {
    std::printf("all native tests passed\n");
    return 0;
  }
  std::printf("%d check(s) failed\n", kt::failures());
  return 1;
}
