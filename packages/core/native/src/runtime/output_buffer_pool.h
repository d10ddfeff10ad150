#pragma once
#include <cstddef>
#include <map>
#include <mutex>

namespace kiln {

// Memory for large inference outputs that is handed back after use and handed out again with its
// pages still resident. A fresh multi-megabyte buffer costs a page fault per 4 KiB page on its first
// write (YOLOv5n's 8.6 MB output: about 2,000 faults, 2-3 ms of CPU per inference); a recycled one
// costs none. Thread-safe. Buffers are 64-byte aligned and NOT zeroed.
class OutputBufferPool {
 public:
  // Keeps at most maxPooledBytes of returned buffers; beyond that, returned buffers are freed.
  explicit OutputBufferPool(size_t maxPooledBytes) : maxPooledBytes_(maxPooledBytes) {}
  ~OutputBufferPool();
  OutputBufferPool(const OutputBufferPool&) = delete;
  OutputBufferPool& operator=(const OutputBufferPool&) = delete;

  // A buffer of at least `bytes` (its capacity is capacityFor(bytes)): a returned one of exactly
  // that capacity when there is one, else a new allocation. Throws std::bad_alloc.
  void* acquire(size_t bytes);
  // Gives back a buffer from acquire(bytes) (the same `bytes`).
  void release(void* buffer, size_t bytes);

  static size_t capacityFor(size_t bytes);
  size_t pooledBytes() const;

 private:
  mutable std::mutex mutex_;
  std::multimap<size_t, void*> free_;  // capacity -> buffer
  size_t pooledBytes_ = 0;
  const size_t maxPooledBytes_;
};

// The process-wide pool execute() takes large output buffers from.
OutputBufferPool& outputBufferPool();

}  // namespace kiln
