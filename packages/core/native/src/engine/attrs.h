#pragma once
#include <string>
#include <vector>

#include "engine/error.h"
#include "engine/graph.h"

namespace kiln {

// Typed access to a layer's attributes; a missing or ill-typed attribute is a KILN_BUILD error
// naming the layer.
class Attrs {
 public:
  explicit Attrs(const LayerDesc& layer) : layer_(layer) {}

  bool has(const std::string& name) const { return layer_.attrs.count(name) != 0; }

  int64_t getInt(const std::string& name) const {
    const auto& v = require(name, AttrValue::Kind::Ints);
    if (v.ints.size() != 1) fail(name, "must be one integer");
    return v.ints[0];
  }
  int64_t getInt(const std::string& name, int64_t fallback) const { return has(name) ? getInt(name) : fallback; }

  std::vector<int64_t> getInts(const std::string& name) const { return require(name, AttrValue::Kind::Ints).ints; }
  std::vector<int64_t> getInts(const std::string& name, std::vector<int64_t> fallback) const {
    return has(name) ? getInts(name) : fallback;
  }

  float getFloat(const std::string& name) const {
    const auto& v = require(name, AttrValue::Kind::Floats);
    if (v.floats.size() != 1) fail(name, "must be one number");
    return v.floats[0];
  }
  float getFloat(const std::string& name, float fallback) const { return has(name) ? getFloat(name) : fallback; }

  std::vector<float> getFloats(const std::string& name) const { return require(name, AttrValue::Kind::Floats).floats; }

  std::string getString(const std::string& name) const { return require(name, AttrValue::Kind::String).str; }
  std::string getString(const std::string& name, const std::string& fallback) const {
    return has(name) ? getString(name) : fallback;
  }

  [[noreturn]] void fail(const std::string& attr, const std::string& what) const {
    throw Error("KILN_BUILD", "layer '" + layer_.name + "' (" + layer_.type + "): attribute '" + attr + "' " + what);
  }

 private:
  const AttrValue& require(const std::string& name, AttrValue::Kind kind) const {
    auto it = layer_.attrs.find(name);
    if (it == layer_.attrs.end()) fail(name, "is missing");
    if (it->second.kind != kind) fail(name, "has the wrong type");
    return it->second;
  }
  const LayerDesc& layer_;
};

}  // namespace kiln
