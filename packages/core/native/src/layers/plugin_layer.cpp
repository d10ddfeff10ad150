#include "engine/layer.h"
#include "plugins/plugin_instance.h"

namespace kiln {
namespace {

// A custom layer computed by a plugin library. Attributes: plugin_name, plugin_version,
// plugin_namespace, the plugin's fields as "field.<name>", and — once built — "serialized", the
// bytes the plugin wrote, which is what a loaded engine recreates it from.
class PluginLayer final : public Layer {
 public:
  PluginLayer(const LayerDesc& desc, const LayerBuildContext& ctx) : Layer(desc) {
    Attrs attrs(desc);
    const std::string name = attrs.getString("plugin_name");
    const std::string version = attrs.getString("plugin_version", "");
    const std::string ns = attrs.getString("plugin_namespace", "");
    const PluginCreatorInfo* creator = ctx.plugins ? ctx.plugins->find(name, version, ns) : nullptr;
    if (!creator)
      throw Error("KILN_PLUGIN_MISSING", "layer '" + desc.name + "' needs plugin '" + name + "' version '" + version + "' (namespace '" +
                                             ns + "'), which is not registered: load its library into the PluginRegistry first");
    desc_.attrs["plugin_version"].kind = AttrValue::Kind::String;
    desc_.attrs["plugin_version"].str = creator->version;
    plugin_ = PluginInstance::create(*creator, desc);
    if (plugin_->numOutputs() != static_cast<int>(desc.outputs.size()))
      throw Error("KILN_PLUGIN", plugin_->label() + ": reports " + std::to_string(plugin_->numOutputs()) + " outputs, the layer has " +
                                     std::to_string(desc.outputs.size()));
    const auto types = plugin_->outputTypes(ctx.inputTypes);
    for (size_t o = 0; o < types.size(); ++o)
      if (types[o] != ctx.outputTypes[o])
        throw Error("KILN_PLUGIN", plugin_->label() + ": output " + std::to_string(o) + " is " + dtypeName(types[o]) + ", expected " +
                                       dtypeName(ctx.outputTypes[o]));
    const size_t inputs = ctx.inputTypes.size();
    for (size_t i = 0; i < inputs + types.size(); ++i) {
      const DType t = i < inputs ? ctx.inputTypes[i] : types[i - inputs];
      if (!plugin_->supports(static_cast<int>(i), t))
        throw Error("KILN_PLUGIN", plugin_->label() + ": does not support " + dtypeName(t) + " at position " + std::to_string(i));
    }
    desc_.attrs["serialized"].kind = AttrValue::Kind::String;
    desc_.attrs["serialized"].str = plugin_->serialize();
  }

  std::vector<Shape> inferShapes(const std::vector<Shape>& inputs) const override {
    auto shapes = plugin_->outputShapes(inputs);
    for (const Shape& s : shapes)
      for (int64_t d : s)
        if (d < 0) shapeError("the plugin left an output dimension unknown for input shapes it was given in full");
    return shapes;
  }

  size_t workspaceBytes(const std::vector<Shape>& inputs, int) const override {
    const size_t bytes = plugin_->workspaceBytes(inputs);
    if (bytes > (size_t{1} << 34)) throw Error("KILN_PLUGIN", plugin_->label() + ": asks for a " + std::to_string(bytes) + "-byte workspace");
    return bytes;
  }

  void run(const LayerRun& r) const override {
    plugin_->enqueue(r.inputs, r.inputShapes, r.inputTypes, r.outputs, r.outputShapes, r.outputTypes, r.workspace, *r.pool);
  }

  void recordInPlan(LayerDesc& desc) const override { desc.attrs = desc_.attrs; }

 private:
  std::unique_ptr<PluginInstance> plugin_;
};

KILN_REGISTER_LAYER("Plugin", [](const LayerDesc& desc, const LayerBuildContext& ctx) {
  return std::unique_ptr<Layer>(new PluginLayer(desc, ctx));
});

}  // namespace
}  // namespace kiln
