#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include "check.h"
#include "runtime/output_buffer_pool.h"

using kiln::OutputBufferPool;

void testOutputBufferPool() {
  const int before = kt::failures();
  {
    OutputBufferPool pool(3 * 8192);
    KT_CHECK(OutputBufferPool::capacityFor(1) == 4096 && OutputBufferPool::capacityFor(4096) == 4096 &&
                 OutputBufferPool::capacityFor(4097) == 8192, "capacities round up to 4 KiB pages");
    void* a = pool.acquire(5000);
    KT_CHECK(reinterpret_cast<uintptr_t>(a) % 64 == 0, "64-byte aligned");
    std::memset(a, 7, 5000);
    pool.release(a, 5000);
    KT_CHECK(pool.pooledBytes() == 8192, "pooled %zu bytes", pool.pooledBytes());
    // Same capacity: the very buffer comes back, its pages already written.
    void* b = pool.acquire(8000);
    KT_CHECK(b == a, "a returned buffer of the same capacity is reused");
    KT_CHECK(pool.pooledBytes() == 0, "taken out of the pool");
    // Another capacity: a new buffer.
    void* c = pool.acquire(100);
    KT_CHECK(c != b, "a different capacity is a different buffer");
    pool.release(b, 8000);
    pool.release(c, 100);
    // Over the cap: freed instead of pooled.
    std::vector<void*> many;
    for (int i = 0; i < 4; ++i) many.push_back(pool.acquire(8192));
    for (void* p : many) pool.release(p, 8192);
    KT_CHECK(pool.pooledBytes() <= 3 * 8192, "never more than the cap pooled (%zu)", pool.pooledBytes());
    pool.release(nullptr, 8192);
  }
  {
    // Many threads taking and giving back: every buffer handed out is held by one thread only.
    OutputBufferPool pool(size_t{1} << 20);
    std::vector<std::thread> threads;
    std::vector<int> bad(4, 0);
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&pool, &bad, t] {
        for (int i = 0; i < 2000; ++i) {
          auto* p = static_cast<unsigned char*>(pool.acquire(4096 * (1 + i % 3)));
          std::memset(p, t + 1, 4096);
          for (int k = 0; k < 4096; k += 512) bad[t] += p[k] != t + 1;
          pool.release(p, 4096 * (1 + i % 3));
        }
      });
    }
    for (auto& th : threads) th.join();
    for (int t = 0; t < 4; ++t) KT_CHECK(bad[t] == 0, "thread %d saw another thread's writes %d times", t, bad[t]);
  }
  kt::reportGroup("output buffer pool", before, "reuse by capacity, cap, alignment, threads");
}
