#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/dtype.h"
#include "engine/shape.h"

namespace kiln {

// An attribute of a native layer: integers, floats or a string (lists of one element are scalars).
struct AttrValue {
  enum class Kind : uint8_t { Ints = 0, Floats = 1, String = 2 };
  Kind kind = Kind::Ints;
  std::vector<int64_t> ints;
  std::vector<float> floats;
  std::string str;
};

struct LayerDesc {
  std::string name;
  std::string type;
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  // The element type of each output, as the TypeScript side inferred it.
  std::vector<DType> outputTypes;
  std::map<std::string, AttrValue> attrs;
};

// A graph input: -1 marks a dynamic dimension; minShape/maxShape bound it, optShape is what
// tactics are timed with.
struct InputDesc {
  std::string name;
  DType dtype = DType::Float32;
  Shape shape, minShape, optShape, maxShape;
};

// Constant data (weights), shared read-only by the contexts of one engine.
struct ConstantDesc {
  std::string name;
  DType dtype = DType::Float32;
  Shape shape;
  std::shared_ptr<std::vector<uint8_t>> bytes;

  const float* floats() const { return reinterpret_cast<const float*>(bytes->data()); }
  template <typename T>
  const T* as() const { return reinterpret_cast<const T*>(bytes->data()); }
};

struct GraphDesc {
  std::vector<InputDesc> inputs;
  std::vector<std::string> outputs;
  std::vector<ConstantDesc> constants;
  std::vector<LayerDesc> layers;
};

}  // namespace kiln
