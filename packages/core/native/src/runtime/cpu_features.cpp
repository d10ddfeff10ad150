#include "runtime/cpu_features.h"

#include <cpuid.h>
#include <cstdlib>

#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace kiln {
namespace {

unsigned long long xgetbv0() {
  unsigned int eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<unsigned long long>(edx) << 32) | eax;
}

struct Features {
  bool avx2 = false;
  bool avx512 = false;
  bool avxVnni = false, avx512Vnni = false, amxInt8 = false;
  Features() {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return;
    const bool osxsave = c & (1u << 27), fma = c & (1u << 12), avx = c & (1u << 28);
    if (!osxsave || !avx) return;
    const unsigned long long xcr0 = xgetbv0();
    const bool ymm = (xcr0 & 0x6) == 0x6, zmm = (xcr0 & 0xe6) == 0xe6;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return;
    avx2 = ymm && fma && (b & (1u << 5));
    const bool f = b & (1u << 16), dq = b & (1u << 17), bw = b & (1u << 30), vl = b & (1u << 31);
    avx512 = avx2 && zmm && f && dq && bw && vl;
    avx512Vnni = avx512 && (c & (1u << 11));
    const bool tileState = (xcr0 & (3ull << 17)) == (3ull << 17);  // XTILECFG, XTILEDATA
    amxInt8 = avx512 && tileState && (d & (1u << 24)) && (d & (1u << 25));
    unsigned maxLeaf7 = a;
    if (maxLeaf7 >= 1 && __get_cpuid_count(7, 1, &a, &b, &c, &d)) avxVnni = avx2 && (a & (1u << 4));
  }
};

const Features& features() {
  static const Features f;
  return f;
}

}  // namespace

const char* isaName(Isa isa) {
  switch (isa) {
    case Isa::Scalar: return "scalar";
    case Isa::Avx2: return "avx2";
    case Isa::Avx512: return "avx512";
  }
  return "unknown";
}

bool parseIsa(const std::string& name, Isa* out) {
  for (Isa isa : {Isa::Scalar, Isa::Avx2, Isa::Avx512}) {
    if (name == isaName(isa)) { *out = isa; return true; }
  }
  return false;
}

bool cpuSupports(Isa isa) {
  switch (isa) {
    case Isa::Scalar: return true;
    case Isa::Avx2: return features().avx2;
    case Isa::Avx512: return features().avx512;
  }
  return false;
}

std::vector<Isa> supportedIsas() {
  std::vector<Isa> out;
  for (Isa isa : {Isa::Scalar, Isa::Avx2, Isa::Avx512})
    if (cpuSupports(isa)) out.push_back(isa);
  return out;
}

bool cpuHasAvxVnni() { return features().avxVnni; }
bool cpuHasAvx512Vnni() { return features().avx512Vnni; }
bool cpuHasAmxInt8() { return features().amxInt8; }

bool enableAmx() {
  static const bool granted = [] {
    if (!features().amxInt8) return false;
#if defined(__linux__) && defined(SYS_arch_prctl)
    constexpr long kArchReqXcompPerm = 0x1023, kXfeatureXtiledata = 18;
    return syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0;
#else
    return false;
#endif
  }();
  return granted;
}

Isa defaultIsa() {
  Isa forced;
  const char* env = std::getenv("KILN_ISA");
  if (env && parseIsa(env, &forced) && cpuSupports(forced)) return forced;
  return supportedIsas().back();
}

}  // namespace kiln
