#include "engine/layer.h"

namespace kiln {

std::map<std::string, LayerFactory>& layerRegistry() {
  static std::map<std::string, LayerFactory> registry;
  return registry;
}

std::unique_ptr<Layer> createLayer(const LayerDesc& desc, const LayerBuildContext& context) {
  auto& registry = layerRegistry();
  auto it = registry.find(desc.type);
  if (it == registry.end())
    throw Error("KILN_BUILD", "layer '" + desc.name + "': the native engine has no kernel for type '" + desc.type + "'");
  return it->second(desc, context);
}

std::vector<std::string> registeredLayerTypes() {
  std::vector<std::string> types;
  for (const auto& entry : layerRegistry()) types.push_back(entry.first);
  return types;
}

}  // namespace kiln
