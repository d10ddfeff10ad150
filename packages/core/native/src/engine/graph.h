#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

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
  std::map<std::string, AttrValue> attrs;
};

// A graph input: -1 marks a dynamic dimension; minShape/maxShape bound it, optShape is what
// tactics are timed with.
struct InputDesc {
  std::string name;
  Shape shape, minShape, optShape, maxShape;
};

// Constant float32 data (weights). Shared between engines deserialized from one plan is not needed;
// contexts of one engine share it read-only.
struct ConstantDesc {
  std::string name;
  Shape shape;
  std::shared_ptr<std::vector<float>> data;
};

struct GraphDesc {
  std::vector<InputDesc> inputs;
  std::vector<std::string> outputs;
  std::vector<ConstantDesc> constants;
  std::vector<LayerDesc> layers;
};

}  // namespace kiln
