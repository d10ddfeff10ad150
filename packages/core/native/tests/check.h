#pragma once
// A minimal check harness: failures are counted and the first few printed; main() returns non-zero
// when any check failed.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace kt {

int failures();
void fail(const char* file, int line, const std::string& what);

// Formats like printf into a std::string.
std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// Prints "[ ok ] name: detail" or "[FAIL] name: detail (n failures)" for the checks made since
// `failuresBefore`, and returns whether there were none.
bool reportGroup(const std::string& name, int failuresBefore, const std::string& detail);

// Deterministic pseudo-random floats in [lo, hi).
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ull + 1) {}
  uint32_t next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return static_cast<uint32_t>(state_ >> 32);
  }
  float uniform(float lo, float hi) { return lo + (hi - lo) * (next() >> 8) * (1.f / 16777216.f); }
  std::vector<float> vector(size_t n, float lo = -1.f, float hi = 1.f) {
    std::vector<float> v(n);
    for (float& x : v) x = uniform(lo, hi);
    return v;
  }

 private:
  uint64_t state_;
};

}  // namespace kt

#define KT_CHECK(cond, ...)                                                            \
  do {                                                                                 \
    if (!(cond)) ::kt::fail(__FILE__, __LINE__, std::string(#cond) + ": " + ::kt::format(__VA_ARGS__)); \
  } while (0)

// The test groups, each in its own file.
void testThreadPool();
void testActivations();
void testConv2d();
void testQuantize();
void testQConv2dPacking();
void testQConv2d();
void testYoloDecode();
void testYoloHead();
void testMaxPool3x3();
void testOutputBufferPool();
void testDepthwiseConv2d();
void testBlockedBottleneck();
void testBlockedStem();
void testBlockedConv();
void testDense();
int runConvBenchmarks(int argc, char** argv);
int runQConvBenchmarks(int argc, char** argv);
int runBlockedBenchmarks(int argc, char** argv);
