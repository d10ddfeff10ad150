#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include "check.h"
#include "runtime/cpu_placement.h"
#include "runtime/thread_pool.h"

#if defined(__linux__)
#include <sched.h>
#endif

using kiln::ThreadPool;

namespace {

// Every task exactly once, on a valid thread, and no two tasks at once on one thread (its
// scratch memory is the task's alone), twice in a row.
void checkEachTaskOnce(ThreadPool& pool, int64_t tasks) {
  for (int round = 0; round < 2; ++round) {
    std::vector<std::atomic<int>> count(static_cast<size_t>(tasks));
    std::vector<std::atomic<int>> busy(static_cast<size_t>(pool.size()));
    std::vector<int> owner(static_cast<size_t>(tasks), -1);
    for (auto& c : count) c = 0;
    for (auto& b : busy) b = 0;
    std::atomic<int> overlaps{0};
    pool.parallelFor(tasks, [&](int64_t t, int thread) {
      count[t].fetch_add(1);
      owner[t] = thread;
      if (thread < 0 || thread >= pool.size()) return;
      if (busy[thread].fetch_add(1) != 0) overlaps.fetch_add(1);
      busy[thread].fetch_sub(1);
    });
    KT_CHECK(overlaps.load() == 0, "pool %d: %d tasks overlapped on one thread", pool.size(), overlaps.load());
    for (int64_t t = 0; t < tasks; ++t) {
      KT_CHECK(count[t].load() == 1, "pool %d, %lld tasks: task %lld ran %d times", pool.size(), (long long)tasks,
               (long long)t, count[t].load());
      KT_CHECK(owner[t] >= 0 && owner[t] < pool.size(), "thread index %d", owner[t]);
    }
  }
}

// Waits, up to two seconds, until `count` threads have arrived; false if they did not.
bool meet(std::atomic<int>& arrived, int count) {
  arrived.fetch_add(1);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (arrived.load() < count)
    if (std::chrono::steady_clock::now() > deadline) return false;
  return true;
}

#if defined(__linux__)
// Two threads of one job on one CPU take turns on it: a worker that starts a job on the CPU its
// caller runs on must move to another.
void checkWorkerLeavesCallersCpu() {
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0 || CPU_COUNT(&allowed) < 2) {
    kt::reportGroup("thread pool: a worker on its caller's CPU moves", kt::failures(), "skipped: one CPU");
    return;
  }
  const int before = kt::failures();
  ThreadPool pool(2);
  const int callerCpu = kiln::currentCpu();
  cpu_set_t callerOnly;
  CPU_ZERO(&callerOnly);
  CPU_SET(callerCpu, &callerOnly);
  sched_setaffinity(0, sizeof callerOnly, &callerOnly);
  for (int round = 0; round < 5; ++round) {
    // The worker goes to the caller's CPU and stays there, spinning, until the next job.
    std::atomic<int> arrived{0};
    bool met = true;
    pool.parallelFor(2, [&](int64_t, int thread) {
      if (thread != 0) {
        sched_setaffinity(0, sizeof callerOnly, &callerOnly);
        sched_setaffinity(0, sizeof allowed, &allowed);
      }
      if (!meet(arrived, 2)) met = false;
    });
    std::atomic<int> arrived2{0};
    int workerCpu = -1;
    pool.parallelFor(2, [&](int64_t, int thread) {
      if (thread != 0) workerCpu = kiln::currentCpu();
      if (!meet(arrived2, 2)) met = false;
    });
    KT_CHECK(met, "round %d: the two tasks did not run at once", round);
    KT_CHECK(workerCpu != callerCpu, "round %d: the worker ran on the caller's CPU %d", round, callerCpu);
  }
  sched_setaffinity(0, sizeof allowed, &allowed);
  kt::reportGroup("thread pool: a worker on its caller's CPU moves", before, "5 rounds, caller pinned");
}
#endif

}  // namespace

void testThreadPool() {
  const int before = kt::failures();
  int jobs = 0;
  for (int size : {1, 2, 3, 4, 7}) {
    ThreadPool pool(size);
    KT_CHECK(pool.size() == size, "size %d", pool.size());
    for (int64_t tasks : {0, 1, 2, 3, 5, 6, 7, 8, 17, 1000}) {
      checkEachTaskOnce(pool, tasks);
      jobs += 2;
    }
    int calls = 0;
    pool.parallelFor(0, [&](int64_t, int) { ++calls; });
    KT_CHECK(calls == 0, "0 tasks made %d calls", calls);
  }
  {
    ThreadPool pool(0);
    KT_CHECK(pool.size() >= 1, "default size %d", pool.size());
  }
  kt::reportGroup("thread pool: each task once", before,
                  kt::format("%d jobs over pools of 1-7 threads, tasks 0-1000", jobs));

  // Back to back (workers spinning) and spaced out (workers asleep), then concurrent callers.
  const int before2 = kt::failures();
  {
    ThreadPool pool(3);
    std::atomic<int64_t> sum{0};
    for (int i = 0; i < 3000; ++i) pool.parallelFor(5, [&](int64_t t, int) { sum += t + 1; });
    KT_CHECK(sum.load() == 3000 * 15, "back to back: sum %lld", (long long)sum.load());
    sum = 0;
    for (int i = 0; i < 20; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(3));
      pool.parallelFor(3, [&](int64_t t, int) { sum += t + 1; });
    }
    KT_CHECK(sum.load() == 20 * 6, "after sleeps: sum %lld", (long long)sum.load());

    std::atomic<int64_t> total{0};
    std::vector<std::thread> callers;
    for (int c = 0; c < 3; ++c)
      callers.emplace_back([&] {
        for (int i = 0; i < 300; ++i) pool.parallelFor(7, [&](int64_t, int) { total += 1; });
      });
    for (auto& t : callers) t.join();
    KT_CHECK(total.load() == 3 * 300 * 7, "concurrent callers: %lld tasks", (long long)total.load());
  }
  {
    // A pool of one shares nothing between callers: two contexts of a one-thread engine run at once.
    ThreadPool pool(1);
    std::atomic<int> arrived{0};
    bool met[2] = {false, false};
    std::vector<std::thread> callers;
    for (int c = 0; c < 2; ++c)
      callers.emplace_back([&, c] { pool.parallelFor(1, [&](int64_t, int) { met[c] = meet(arrived, 2); }); });
    for (auto& t : callers) t.join();
    KT_CHECK(met[0] && met[1], "a pool of one ran its two callers' jobs one after the other");
  }
  kt::reportGroup("thread pool: back to back, after sleeping, concurrent callers", before2, "3000 + 20 + 900 jobs, two callers of a pool of one at once");

  const int before3 = kt::failures();
  {
    ThreadPool pool(3);
    bool threw = false;
    try {
      pool.parallelFor(9, [&](int64_t t, int) {
        if (t == 7) throw std::runtime_error("task 7");
      });
    } catch (const std::runtime_error&) {
      threw = true;
    }
    KT_CHECK(threw, "the task's exception reached the caller");
    checkEachTaskOnce(pool, 11);

    std::atomic<int> inner{0};
    pool.parallelFor(3, [&](int64_t, int thread) {
      pool.parallelFor(4, [&](int64_t, int innerThread) {
        KT_CHECK(innerThread == thread, "nested call moved threads");
        inner += 1;
      });
    });
    KT_CHECK(inner.load() == 12, "nested: %d inner tasks", inner.load());
  }
  for (int i = 0; i < 50; ++i) {
    auto pool = std::make_unique<ThreadPool>(1 + i % 4);
    if (i % 2) pool->parallelFor(4, [](int64_t, int) {});
    if (i % 5 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  kt::reportGroup("thread pool: exceptions, nested calls, shutdown", before3,
                  "throwing task, nested parallelFor, 50 pools created and destroyed");
#if defined(__linux__)
  checkWorkerLeavesCallersCpu();
#endif
}
