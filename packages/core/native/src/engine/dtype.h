#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace kiln {

// Element types of tensors, named as the TypeScript side names them.
enum class DType : uint8_t { Float32 = 0, Float16 = 1, Int8 = 2, Uint8 = 3, Int32 = 4, Int64 = 5, Bool = 6 };
constexpr int kDTypeCount = 7;

inline size_t dtypeSize(DType t) {
  switch (t) {
    case DType::Float32: return 4;
    case DType::Float16: return 2;
    case DType::Int8: return 1;
    case DType::Uint8: return 1;
    case DType::Int32: return 4;
    case DType::Int64: return 8;
    case DType::Bool: return 1;
  }
  return 1;
}

inline const char* dtypeName(DType t) {
  switch (t) {
    case DType::Float32: return "float32";
    case DType::Float16: return "float16";
    case DType::Int8: return "int8";
    case DType::Uint8: return "uint8";
    case DType::Int32: return "int32";
    case DType::Int64: return "int64";
    case DType::Bool: return "bool";
  }
  return "unknown";
}

inline bool parseDType(const std::string& name, DType* out) {
  for (int i = 0; i < kDTypeCount; ++i) {
    const auto t = static_cast<DType>(i);
    if (name == dtypeName(t)) {
      *out = t;
      return true;
    }
  }
  return false;
}

}  // namespace kiln
