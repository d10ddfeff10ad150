#pragma once
#include <string>
#include <vector>

#include "engine/graph.h"
#include "plugins/plugin_registry.h"

namespace kiln {

struct PluginOutputs {
  std::vector<Shape> shapes;  // -1 where the plugin leaves a dimension dynamic
  std::vector<DType> types;
  std::string version;        // the version that was chosen when the layer named none
};

// What a Plugin layer would produce for these inputs, asked of a throwaway instance: the build-time
// shape inference of layers no rule of Kiln's knows.
PluginOutputs queryPluginOutputs(const PluginRegistry& registry, const LayerDesc& layer, const std::vector<Shape>& inputShapes,
                                 const std::vector<DType>& inputTypes);

}  // namespace kiln
