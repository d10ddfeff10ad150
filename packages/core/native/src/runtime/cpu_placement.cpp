#include "runtime/cpu_placement.h"

#if defined(__linux__)
#include <sched.h>
#endif

namespace kiln {

#if defined(__linux__)

int currentCpu() { return sched_getcpu(); }

bool moveOffCpus(const int* cpus, int count) {
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return false;
  cpu_set_t elsewhere = allowed;
  for (int i = 0; i < count; ++i)
    if (cpus[i] >= 0 && cpus[i] < CPU_SETSIZE) CPU_CLR(cpus[i], &elsewhere);
  if (CPU_COUNT(&elsewhere) == 0) return false;
  // Narrowing the mask migrates the thread at once; widening it again does not move it back.
  if (sched_setaffinity(0, sizeof elsewhere, &elsewhere) != 0) return false;
  sched_setaffinity(0, sizeof allowed, &allowed);
  return true;
}

#else

int currentCpu() { return -1; }
bool moveOffCpus(const int*, int) { return false; }

#endif

}  // namespace kiln
