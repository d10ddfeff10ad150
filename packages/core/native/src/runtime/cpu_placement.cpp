#include "runtime/cpu_placement.h"

#if defined(__linux__)
#include <sched.h>
#endif

namespace kiln {

#if defined(__linux__)

int currentCpu() { return sched_getcpu(); }

bool moveOffCpus(uint64_t occupied) {
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return false;
  cpu_set_t elsewhere = allowed;
  for (int cpu = 0; cpu < 64; ++cpu)
    if (occupied >> cpu & 1) CPU_CLR(cpu, &elsewhere);
  if (CPU_COUNT(&elsewhere) == 0) return false;
  // Narrowing the mask migrates the thread at once; widening it again does not move it back.
  if (sched_setaffinity(0, sizeof elsewhere, &elsewhere) != 0) return false;
  sched_setaffinity(0, sizeof allowed, &allowed);
  return true;
}

#else

int currentCpu() { return -1; }
bool moveOffCpus(uint64_t) { return false; }

#endif

}  // namespace kiln
