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

}  // namespace kiln
