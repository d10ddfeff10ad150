#pragma once
#include <cstdint>
#include <functional>

namespace kiln {

// A persistent pool of worker threads. The calling thread takes part in every job, so a pool of
// size 1 runs everything inline, and concurrent callers side by side; a larger pool runs the jobs of
// concurrent callers one after another.
class ThreadPool {
 public:
  explicit ThreadPool(int threads);  // threads <= 0: one per hardware core
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const;

  // Calls fn(task, thread) for every task in [0, tasks); returns when all have finished. Threads
  // take the tasks one at a time as they get to them, so which thread runs a task varies from run
  // to run: `thread` (in [0, size())) may only select per-thread scratch memory, and a task's
  // result must not depend on it. How a kernel cuts its work into tasks depends only on size(),
  // so results are reproducible run to run.
  void parallelFor(int64_t tasks, const std::function<void(int64_t task, int thread)>& fn);

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace kiln
