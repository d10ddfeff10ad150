#pragma once

namespace kiln {

// The CPU the calling thread runs on now, or -1 where the OS does not say.
int currentCpu();

// Moves the calling thread off the `count` CPUs in `cpus` to another CPU it may run on, then lets it
// run anywhere it could before. Returns false, and leaves the thread where it is, when no other CPU
// is allowed or the OS does not support it.
bool moveOffCpus(const int* cpus, int count);

}  // namespace kiln
