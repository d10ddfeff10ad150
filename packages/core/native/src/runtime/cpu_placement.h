#pragma once
#include <cstdint>

namespace kiln {

// The CPU the calling thread runs on now, or -1 where the OS does not say.
int currentCpu();

// Moves the calling thread off the CPUs in `occupied` (bit i: CPU i) to another CPU it may run on,
// then lets it run anywhere it could before. Returns false, and leaves the thread where it is, when
// no other CPU is allowed or the OS does not support it.
bool moveOffCpus(uint64_t occupied);

}  // namespace kiln
