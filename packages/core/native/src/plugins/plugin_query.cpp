#include "plugins/plugin_query.h"

#include "engine/attrs.h"
#include "plugins/plugin_instance.h"

namespace kiln {

PluginOutputs queryPluginOutputs(const PluginRegistry& registry, const LayerDesc& layer, const std::vector<Shape>& inputShapes,
                                 const std::vector<DType>& inputTypes) {
  Attrs attrs(layer);
  const std::string name = attrs.getString("plugin_name");
  const PluginCreatorInfo* creator = registry.find(name, attrs.getString("plugin_version", ""), attrs.getString("plugin_namespace", ""));
  if (!creator) throw Error("KILN_PLUGIN_MISSING", "layer '" + layer.name + "' needs plugin '" + name + "', which is not registered");
  auto plugin = PluginInstance::create(*creator, layer);
  return {plugin->outputShapes(inputShapes), plugin->outputTypes(inputTypes), creator->version};
}

}  // namespace kiln
