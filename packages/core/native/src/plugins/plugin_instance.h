#pragma once
#include <memory>
#include <string>
#include <vector>

#include "engine/dtype.h"
#include "engine/graph.h"
#include "engine/shape.h"
#include "kiln_plugin.h"
#include "plugins/plugin_registry.h"
#include "runtime/thread_pool.h"

namespace kiln {

// One live plugin object behind the C ABI, with every call checked and every failure turned into a
// kiln::Error (code KILN_PLUGIN) that names the plugin and carries its message.
class PluginInstance {
 public:
  // From a layer's attributes: "field.<name>" values converted to the types the creator declares,
  // or — when the layer carries "serialized" (an engine being loaded) — from those bytes.
  static std::unique_ptr<PluginInstance> create(const PluginCreatorInfo& creator, const LayerDesc& layer);
  ~PluginInstance();

  int numOutputs() const;
  std::vector<Shape> outputShapes(const std::vector<Shape>& inputs) const;
  std::vector<DType> outputTypes(const std::vector<DType>& inputs) const;
  bool supports(int position, DType dtype) const;
  size_t workspaceBytes(const std::vector<Shape>& inputs) const;
  std::string serialize() const;
  void enqueue(const std::vector<const void*>& inputs, const std::vector<const Shape*>& inputShapes, const std::vector<DType>& inputTypes,
               const std::vector<void*>& outputs, const std::vector<const Shape*>& outputShapes, const std::vector<DType>& outputTypes,
               void* workspace, ThreadPool& pool) const;

  const std::string& label() const { return label_; }

 private:
  PluginInstance(std::string label, kiln_plugin* self, const kiln_plugin_api* api) : label_(std::move(label)), self_(self), api_(api) {}
  [[noreturn]] void fail(const std::string& what, const kiln_error& error) const;

  std::string label_;
  kiln_plugin* self_;
  const kiln_plugin_api* api_;
};

}  // namespace kiln
