#pragma once
#include <algorithm>
#include <cstdint>

#include "runtime/thread_pool.h"

namespace kiln {

// Runs body(begin, end) over [0, count) in chunks of at least `grain` items spread over the pool.
template <typename Body>
void parallelRange(ThreadPool& pool, int64_t count, int64_t grain, const Body& body) {
  if (count <= 0) return;
  const int64_t maxTasks = std::max<int64_t>(1, count / std::max<int64_t>(1, grain));
  const int64_t tasks = std::min<int64_t>(maxTasks, pool.size() * 4);
  if (tasks <= 1) {
    body(0, count);
    return;
  }
  pool.parallelFor(tasks, [&](int64_t task, int) {
    const int64_t begin = count * task / tasks, end = count * (task + 1) / tasks;
    if (begin < end) body(begin, end);
  });
}

}  // namespace kiln
