#include "runtime/output_buffer_pool.h"

#include <new>

namespace kiln {
namespace {
constexpr size_t kAlign = 64;
constexpr size_t kPage = 4096;
}  // namespace

OutputBufferPool::~OutputBufferPool() {
  for (auto& [capacity, buffer] : free_) ::operator delete(buffer, std::align_val_t(kAlign));
}

size_t OutputBufferPool::capacityFor(size_t bytes) { return (bytes + kPage - 1) / kPage * kPage; }

void* OutputBufferPool::acquire(size_t bytes) {
  const size_t capacity = capacityFor(bytes);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto it = free_.find(capacity);
    if (it != free_.end()) {
      void* buffer = it->second;
      free_.erase(it);
      pooledBytes_ -= capacity;
      return buffer;
    }
  }
  return ::operator new(capacity, std::align_val_t(kAlign));
}

void OutputBufferPool::release(void* buffer, size_t bytes) {
  if (!buffer) return;
  const size_t capacity = capacityFor(bytes);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (pooledBytes_ + capacity <= maxPooledBytes_) {
      free_.emplace(capacity, buffer);
      pooledBytes_ += capacity;
      return;
    }
  }
  ::operator delete(buffer, std::align_val_t(kAlign));
}

size_t OutputBufferPool::pooledBytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return pooledBytes_;
}

OutputBufferPool& outputBufferPool() {
  // Enough for a few in-flight results of a detection model per context; never freed at exit
  // (finalizers of outstanding ArrayBuffers may still run then).
  static OutputBufferPool* pool = new OutputBufferPool(size_t{256} << 20);
  return *pool;
}

}  // namespace kiln
