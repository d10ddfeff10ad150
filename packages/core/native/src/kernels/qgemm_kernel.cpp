#include "kernels/qgemm_kernel.h"

#include <stdexcept>

namespace kiln::qgemm {

const QGemmKernel& qgemmKernel(Int8Path path) {
  static const QGemmKernel kScalar{Int8Path::Scalar, kMrScalar, kNrScalar, 0, detail::microScalar,
                                   detail::epilogueScalar};
  static const QGemmKernel kAvx2{Int8Path::Avx2, kMrAvx2, kNrAvx2, 128, detail::microAvx2, detail::epilogueAvx2,
                                 detail::tileAvx2};
  static const QGemmKernel kAvxVnni{Int8Path::AvxVnni, kMrAvxVnni, kNrAvxVnni, 0, detail::microAvxVnni,
                                    detail::epilogueAvx2};
  static const QGemmKernel kAvx512Vnni{Int8Path::Avx512Vnni, kMrAvx512Vnni, kNrAvx512Vnni, 0,
                                       detail::microAvx512Vnni, detail::epilogueAvx512};
  switch (path) {
    case Int8Path::Scalar: return kScalar;
    case Int8Path::Avx2: return kAvx2;
    case Int8Path::AvxVnni: return kAvxVnni;
    case Int8Path::Avx512Vnni: return kAvx512Vnni;
    case Int8Path::Amx: break;
  }
  throw std::invalid_argument("qgemm: no kernel for this INT8 path");
}

}  // namespace kiln::qgemm
