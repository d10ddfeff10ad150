#pragma once
#include <cstdint>

#include "engine/dtype.h"
#include "engine/error.h"

namespace kiln {

// bool tensors hold one byte per element, 0 or 1.
struct BoolTag {};

// Calls fn(T{}) with the C++ element type of `t` (uint8_t stands in for bool; float16 has none).
template <typename Fn>
void dispatchType(DType t, Fn&& fn) {
  switch (t) {
    case DType::Float32: return fn(float{});
    case DType::Int32: return fn(int32_t{});
    case DType::Int64: return fn(int64_t{});
    case DType::Int8: return fn(int8_t{});
    case DType::Uint8: return fn(uint8_t{});
    case DType::Bool: return fn(BoolTag{});
    case DType::Float16: break;
  }
  throw Error("KILN_INTERNAL", std::string("no kernel for element type ") + dtypeName(t));
}

template <typename T>
struct Storage {
  using type = T;
};
template <>
struct Storage<BoolTag> {
  using type = uint8_t;
};
template <typename T>
using StorageOf = typename Storage<T>::type;

}  // namespace kiln
