#pragma once
#include <string>
#include <vector>

namespace kiln {

enum class Isa { Scalar = 0, Avx2 = 1, Avx512 = 2 };

const char* isaName(Isa isa);
bool parseIsa(const std::string& name, Isa* out);

// What this CPU (and OS) can execute.
bool cpuSupports(Isa isa);
std::vector<Isa> supportedIsas();

// The best ISA, or the one KILN_ISA names (when this CPU supports it).
Isa defaultIsa();

// The integer dot-product extensions (each implies the ISA it extends, and OS support for its state).
bool cpuHasAvxVnni();     // VEX vpdpbusd on ymm (AVX-VNNI), with AVX2
bool cpuHasAvx512Vnni();  // EVEX vpdpbusd (AVX512-VNNI), with the AVX-512 ISA above
bool cpuHasAmxInt8();     // AMX-TILE and AMX-INT8, with AVX-512 and the tile state enabled in XCR0
// Asks Linux for the AMX tile data state (arch_prctl ARCH_REQ_XCOMP_PERM) once per process; must
// succeed before any tile instruction runs. False where AMX is absent or the OS refuses.
bool enableAmx();

}  // namespace kiln
