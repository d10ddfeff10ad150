// Which INT8 instruction path a convolution runs on.
#include <cstdlib>
#include <cstring>

#include "kernels/qconv2d.h"

namespace kiln {
namespace {
constexpr Int8Path kPaths[] = {Int8Path::Scalar, Int8Path::Avx2, Int8Path::AvxVnni, Int8Path::Avx512Vnni,
                               Int8Path::Amx};
}  // namespace

const char* int8PathName(Int8Path path) {
  switch (path) {
    case Int8Path::Scalar: return "scalar";
    case Int8Path::Avx2: return "avx2";
    case Int8Path::AvxVnni: return "avxvnni";
    case Int8Path::Avx512Vnni: return "avx512vnni";
    case Int8Path::Amx: return "amx";
  }
  return "unknown";
}

bool parseInt8Path(const char* name, Int8Path* out) {
  if (!name) return false;
  for (Int8Path path : kPaths)
    if (std::strcmp(name, int8PathName(path)) == 0) {
      *out = path;
      return true;
    }
  return false;
}

// Supported: this CPU has the instructions and Kiln has the kernel (AMX has none yet).
bool int8PathSupported(Int8Path path) {
  switch (path) {
    case Int8Path::Scalar: return true;
    case Int8Path::Avx2: return cpuSupports(Isa::Avx2);
    case Int8Path::AvxVnni: return cpuHasAvxVnni();
    case Int8Path::Avx512Vnni: return cpuHasAvx512Vnni();
    case Int8Path::Amx: return false;
  }
  return false;
}

Int8Path int8PathFor(Isa isa) {
  Int8Path forced;
  if (parseInt8Path(std::getenv("KILN_INT8"), &forced) && int8PathSupported(forced)) return forced;
  Int8Path best = Int8Path::Scalar;
  for (Int8Path path : kPaths) {
    const Isa needs = path == Int8Path::Scalar ? Isa::Scalar
                      : path == Int8Path::Avx2 || path == Int8Path::AvxVnni ? Isa::Avx2
                                                                            : Isa::Avx512;
    if (static_cast<int>(needs) <= static_cast<int>(isa) && int8PathSupported(path)) best = path;
  }
  return best;
}

bool int8PathIsFast(Int8Path path) {
  return path == Int8Path::AvxVnni || path == Int8Path::Avx512Vnni || path == Int8Path::Amx;
}

int int8WeightMax(Int8Path) { return 127; }

}  // namespace kiln
