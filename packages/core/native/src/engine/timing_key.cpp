#include "engine/timing_key.h"

#include <cstdio>

namespace kiln {

std::string timingKey(const LayerDesc& desc, const std::vector<DType>& inputTypes,
                      const std::vector<Shape>& inputShapes, Isa isa, int threads) {
  std::string key = std::string(isaName(isa)) + "/" + std::to_string(threads) + "|" + desc.type + "|";
  for (const auto& [name, value] : desc.attrs) {
    key += name + "=";
    for (int64_t v : value.ints) key += std::to_string(v) + ",";
    for (float v : value.floats) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.9g,", static_cast<double>(v));
      key += buf;
    }
    key += value.str + ";";
  }
  key += "|";
  for (size_t i = 0; i < inputShapes.size(); ++i) {
    key += std::string(dtypeName(inputTypes.at(i))) + shapeToString(inputShapes[i]);
    if (i + 1 < inputShapes.size()) key += ",";
  }
  return key;
}

}  // namespace kiln
