#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "engine/error.h"

namespace kiln {

// Little-endian writer for the plan format.
class ByteWriter {
 public:
  void u8(uint8_t v) { bytes_.push_back(v); }
  void u32(uint32_t v) { raw(&v, 4); }
  void i64(int64_t v) { raw(&v, 8); }
  void u64(uint64_t v) { raw(&v, 8); }
  void f32(float v) { raw(&v, 4); }
  void str(const std::string& s) {
    u32(static_cast<uint32_t>(s.size()));
    raw(s.data(), s.size());
  }
  void raw(const void* data, size_t n) {
    const auto* p = static_cast<const uint8_t*>(data);
    bytes_.insert(bytes_.end(), p, p + n);
  }
  void alignTo(size_t alignment) {
    while (bytes_.size() % alignment) bytes_.push_back(0);
  }
  size_t size() const { return bytes_.size(); }
  std::vector<uint8_t>& bytes() { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

// Bounds-checked reader: every read past the end is a KILN_PLAN_TRUNCATED error, never a crash.
class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size, std::string what) : data_(data), size_(size), what_(std::move(what)) {}

  uint8_t u8() { return take<uint8_t>(); }
  uint32_t u32() { return take<uint32_t>(); }
  int64_t i64() { return take<int64_t>(); }
  uint64_t u64() { return take<uint64_t>(); }
  float f32() { return take<float>(); }
  std::string str() {
    const uint32_t n = u32();
    need(n);
    std::string s(reinterpret_cast<const char*>(data_ + pos_), n);
    pos_ += n;
    return s;
  }
  // A count of items each at least `minItemBytes` long, checked against what is left.
  uint32_t count(size_t minItemBytes) {
    const uint32_t n = u32();
    if (minItemBytes && n > remaining() / minItemBytes)
      throw Error("KILN_PLAN_CORRUPT", "the plan's " + what_ + " section lists " + std::to_string(n) + " items, more than it can hold");
    return n;
  }
  const uint8_t* bytes(size_t n) {
    need(n);
    const uint8_t* p = data_ + pos_;
    pos_ += n;
    return p;
  }
  size_t remaining() const { return size_ - pos_; }
  size_t position() const { return pos_; }

 private:
  template <typename T>
  T take() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, data_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  void need(size_t n) {
    if (n > size_ - pos_) throw Error("KILN_PLAN_TRUNCATED", "the plan's " + what_ + " section ends early: it is truncated or corrupt");
  }
  const uint8_t* data_;
  size_t size_, pos_ = 0;
  std::string what_;
};

}  // namespace kiln
