#include "runtime/thread_pool.h"

#include "runtime/cpu_placement.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace kiln {
namespace {

// Pause iterations a worker spins on between jobs before sleeping, and the caller spins waiting for
// its job's last tasks before sleeping. An inference issues tens of jobs back to back; spinning this long
// keeps them from paying a futex wake-up each, while an idle pool still goes to sleep quickly.
constexpr int kSpinIterations = 4000;

inline void cpuPause() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

using TaskFn = std::function<void(int64_t task, int thread)>;

constexpr int kTrackedThreads = 64;

// One parallelFor call, on its caller's stack.
struct Job {
  const TaskFn* fn;
  int64_t tasks;
  // The next task to hand out: threads take tasks one at a time, so a thread the OS deschedules
  // (a shared machine, an SMT sibling busy elsewhere) holds up only the task it is running.
  alignas(64) std::atomic<int64_t> next{0};
  alignas(64) std::atomic<int64_t> done{0};
  // The CPU each of its threads (the first kTrackedThreads) runs on, -1 until it starts, so that a
  // worker the OS has put on a CPU another thread of the job already uses can move: two threads of
  // a job on one CPU take turns on it while another CPU idles, and the job takes as long as on one
  // thread.
  std::atomic<int> cpus[kTrackedThreads];
  int tracked = 0;
  std::mutex errorMutex;
  std::exception_ptr error;
};

}  // namespace

// The caller waits for its job's tasks, not for the workers: a worker the OS has not scheduled yet
// when the job starts (asleep, or its core taken) costs nothing if the others finish the tasks.
// A worker that wakes later finds the job gone, or takes part in the next one.
struct ThreadPool::Impl {
  int size = 1;
  std::vector<std::thread> workers;

  std::mutex callerMutex;  // one job at a time

  std::mutex m;  // guards the sleeps below; the job state itself is published through the atomics
  std::condition_variable wake;  // workers wait here for a new generation
  std::condition_variable done;  // the caller waits here for its job's tasks to finish
  // generation is read by every spinning worker, the job's counters written by each task: apart, so
  // that the writes do not keep invalidating the line the spinners poll.
  alignas(64) std::atomic<uint64_t> generation{0};
  std::atomic<bool> stop{false};
  alignas(64) std::atomic<Job*> current{nullptr};
  // Workers between taking `current` and letting it go: the caller clears `current` and waits for
  // none to be left before its job (on its stack) goes away.
  std::atomic<int> users{0};
  std::atomic<int> sleepers{0};
  std::atomic<bool> callerSleeping{false};

  void runTasks(Job& job, int thread);
  void workerLoop(int thread);
  uint64_t waitForJob(uint64_t seen);
  void waitForTasks(const Job& job);
};

namespace {
// Set only while a thread runs tasks of a job, so that a nested parallelFor runs inline instead of
// deadlocking on the caller mutex.
thread_local const void* tlsPool = nullptr;
thread_local int tlsThread = 0;

struct JobScope {
  const void* savedPool;
  int savedThread;
  JobScope(const void* pool, int thread) : savedPool(tlsPool), savedThread(tlsThread) {
    tlsPool = pool;
    tlsThread = thread;
  }
  ~JobScope() {
    tlsPool = savedPool;
    tlsThread = savedThread;
  }
};

// Records the calling thread's CPU for the job; a worker that finds it taken by another of the
// job's threads moves off the CPUs they use.
void claimCpu(Job& job, int thread) {
  if (thread >= job.tracked) return;
  int cpu = currentCpu();
  if (cpu < 0) return;
  job.cpus[thread].store(cpu, std::memory_order_relaxed);
  if (thread == 0) return;
  int taken[kTrackedThreads];
  int count = 0;
  bool clash = false;
  for (int t = 0; t < job.tracked; ++t) {
    const int other = t == thread ? -1 : job.cpus[t].load(std::memory_order_relaxed);
    if (other < 0) continue;
    taken[count++] = other;
    clash = clash || other == cpu;
  }
  if (clash && moveOffCpus(taken, count)) job.cpus[thread].store(currentCpu(), std::memory_order_relaxed);
}

}  // namespace

void ThreadPool::Impl::runTasks(Job& job, int thread) {
  int64_t t = job.next.fetch_add(1, std::memory_order_relaxed);
  if (t >= job.tasks) return;
  if (thread != 0) claimCpu(job, thread);
  JobScope scope(this, thread);
  for (; t < job.tasks; t = job.next.fetch_add(1, std::memory_order_relaxed)) {
    try {
      (*job.fn)(t, thread);
    } catch (...) {
      std::lock_guard<std::mutex> lock(job.errorMutex);
      if (!job.error) job.error = std::current_exception();
    }
    if (job.done.fetch_add(1, std::memory_order_seq_cst) + 1 == job.tasks && callerSleeping.load(std::memory_order_seq_cst)) {
      // Taking the mutex orders this notify after the caller has entered its wait.
      { std::lock_guard<std::mutex> lock(m); }
      done.notify_one();
    }
  }
}

uint64_t ThreadPool::Impl::waitForJob(uint64_t seen) {
  for (int i = 0; i < kSpinIterations; ++i) {
    const uint64_t g = generation.load(std::memory_order_acquire);
    if (g != seen) return g;
    cpuPause();
  }
  std::unique_lock<std::mutex> lock(m);
  sleepers.fetch_add(1, std::memory_order_seq_cst);
  wake.wait(lock, [&] { return generation.load(std::memory_order_seq_cst) != seen; });
  sleepers.fetch_sub(1, std::memory_order_relaxed);
  return generation.load(std::memory_order_acquire);
}

void ThreadPool::Impl::workerLoop(int thread) {
  uint64_t seen = 0;
  for (;;) {
    seen = waitForJob(seen);
    if (stop.load(std::memory_order_acquire)) return;
    users.fetch_add(1, std::memory_order_seq_cst);
    if (Job* job = current.load(std::memory_order_seq_cst)) runTasks(*job, thread);
    users.fetch_sub(1, std::memory_order_seq_cst);
  }
}

void ThreadPool::Impl::waitForTasks(const Job& job) {
  for (int i = 0; i < kSpinIterations; ++i) {
    if (job.done.load(std::memory_order_acquire) == job.tasks) return;
    cpuPause();
  }
  std::unique_lock<std::mutex> lock(m);
  callerSleeping.store(true, std::memory_order_seq_cst);
  done.wait(lock, [&] { return job.done.load(std::memory_order_seq_cst) == job.tasks; });
  callerSleeping.store(false, std::memory_order_relaxed);
}

ThreadPool::ThreadPool(int threads) : impl_(new Impl) {
  if (threads <= 0) threads = static_cast<int>(std::thread::hardware_concurrency());
  if (threads <= 0) threads = 1;
  impl_->size = threads;
  impl_->workers.reserve(threads - 1);
  for (int i = 1; i < threads; ++i) impl_->workers.emplace_back([this, i] { impl_->workerLoop(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> caller(impl_->callerMutex);
    impl_->stop.store(true, std::memory_order_release);
    impl_->generation.fetch_add(1, std::memory_order_seq_cst);
    { std::lock_guard<std::mutex> lock(impl_->m); }
    impl_->wake.notify_all();
  }
  for (std::thread& t : impl_->workers) t.join();
  delete impl_;
}

int ThreadPool::size() const { return impl_->size; }

void ThreadPool::parallelFor(int64_t tasks, const std::function<void(int64_t task, int thread)>& fn) {
  if (tasks <= 0) return;
  if (tlsPool == impl_) {
    // Nested call from one of this job's tasks: that thread runs it alone.
    for (int64_t t = 0; t < tasks; ++t) fn(t, tlsThread);
    return;
  }
  Impl& p = *impl_;
  Job job;
  job.fn = &fn;
  job.tasks = tasks;
  if (p.size == 1) {
    // Nothing shared: concurrent callers (contexts of one engine) run side by side.
    p.runTasks(job, 0);
  } else {
    std::lock_guard<std::mutex> caller(p.callerMutex);
    job.tracked = std::min(p.size, kTrackedThreads);
    for (int t = 0; t < job.tracked; ++t) job.cpus[t].store(-1, std::memory_order_relaxed);
    claimCpu(job, 0);
    p.current.store(&job, std::memory_order_seq_cst);
    p.generation.fetch_add(1, std::memory_order_seq_cst);
    if (p.sleepers.load(std::memory_order_seq_cst) > 0) {
      { std::lock_guard<std::mutex> lock(p.m); }
      p.wake.notify_all();
    }
    p.runTasks(job, 0);
    p.waitForTasks(job);
    p.current.store(nullptr, std::memory_order_seq_cst);
    while (p.users.load(std::memory_order_seq_cst) != 0) cpuPause();
  }
  if (job.error) std::rethrow_exception(job.error);
}

}  // namespace kiln
