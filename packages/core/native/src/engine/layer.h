#pragma once
#include <cstddef>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/attrs.h"
#include "engine/graph.h"
#include "engine/shape.h"
#include "plugins/plugin_registry.h"
#include "runtime/cpu_features.h"
#include "runtime/thread_pool.h"

namespace kiln {

// What a layer factory sees at build time: the ISA, and the constant data behind any input.
struct LayerBuildContext {
  Isa isa = Isa::Scalar;
  // The constant of input i, or null when the input is computed at run time.
  std::vector<const ConstantDesc*> constantInputs;
  std::vector<DType> inputTypes;
  std::vector<DType> outputTypes;
  const PluginRegistry* plugins = nullptr;
};

struct LayerRun {
  std::vector<const void*> inputs;
  std::vector<const Shape*> inputShapes;
  std::vector<DType> inputTypes;
  std::vector<void*> outputs;
  std::vector<const Shape*> outputShapes;
  std::vector<DType> outputTypes;
  // Where a layer whose output length depends on the data (NonMaxSuppression) writes the shape it
  // actually produced; outputShapes then hold its upper bound.
  std::vector<Shape*> resultShapes;
  void* workspace = nullptr;
  ThreadPool* pool = nullptr;

  const float* in(size_t i) const { return static_cast<const float*>(inputs[i]); }
  float* out(size_t i) const { return static_cast<float*>(outputs[i]); }
  template <typename T>
  const T* in(size_t i) const { return static_cast<const T*>(inputs[i]); }
  template <typename T>
  T* out(size_t i) const { return static_cast<T*>(outputs[i]); }
};

// One layer of a compiled engine: it infers its output shapes, may offer several tactics (timed at
// build), declares its scratch memory, and runs. run() is const: contexts share layers.
class Layer {
 public:
  explicit Layer(const LayerDesc& desc) : desc_(desc) {}
  virtual ~Layer() = default;

  const LayerDesc& desc() const { return desc_; }

  // Throws kiln::Error (KILN_SHAPE) naming the layer when the input shapes are not acceptable.
  virtual std::vector<Shape> inferShapes(const std::vector<Shape>& inputs) const = 0;

  virtual int tacticCount() const { return 1; }
  virtual std::string tacticName(int tactic) const { return tactic == 0 ? "default" : "?"; }
  virtual void setTactic(int /*tactic*/) {}
  virtual int tactic() const { return 0; }

  // Refuses, at build time, element types this layer has no kernel for.
  static void requireTypes(const LayerDesc& desc, const LayerBuildContext& ctx, std::initializer_list<DType> allowed) {
    auto check = [&](DType t, const std::string& what) {
      for (DType a : allowed)
        if (a == t) return;
      std::string names;
      for (DType a : allowed) names += std::string(names.empty() ? "" : ", ") + dtypeName(a);
      throw Error("KILN_BUILD", "layer '" + desc.name + "' (" + desc.type + "): " + what + " is " + dtypeName(t) +
                                    "; this kernel takes " + names);
    };
    for (size_t i = 0; i < ctx.inputTypes.size(); ++i) check(ctx.inputTypes[i], "input " + std::to_string(i));
    for (size_t i = 0; i < ctx.outputTypes.size(); ++i) check(ctx.outputTypes[i], "output " + std::to_string(i));
  }
  virtual size_t workspaceBytes(const std::vector<Shape>& /*inputs*/, int /*threads*/) const { return 0; }
  // Lets a layer add to what the plan records of it (a plugin: its serialized bytes).
  virtual void recordInPlan(LayerDesc& /*desc*/) const {}
  virtual void run(const LayerRun& run) const = 0;

 protected:
  [[noreturn]] void shapeError(const std::string& what) const {
    throw Error("KILN_SHAPE", "layer '" + desc_.name + "' (" + desc_.type + "): " + what);
  }
  [[noreturn]] void buildError(const std::string& what) const {
    throw Error("KILN_BUILD", "layer '" + desc_.name + "' (" + desc_.type + "): " + what);
  }
  void expectInputs(const std::vector<Shape>& inputs, size_t count) const {
    if (inputs.size() != count)
      shapeError("expects " + std::to_string(count) + " inputs, got " + std::to_string(inputs.size()));
  }

  LayerDesc desc_;
};

using LayerFactory = std::function<std::unique_ptr<Layer>(const LayerDesc&, const LayerBuildContext&)>;

// Layer types register themselves (one file each) with KILN_REGISTER_LAYER.
std::map<std::string, LayerFactory>& layerRegistry();
std::unique_ptr<Layer> createLayer(const LayerDesc& desc, const LayerBuildContext& context);
std::vector<std::string> registeredLayerTypes();

struct LayerRegistration {
  LayerRegistration(const char* type, LayerFactory factory) { layerRegistry()[type] = std::move(factory); }
};

#define KILN_LAYER_CONCAT2(a, b) a##b
#define KILN_LAYER_CONCAT(a, b) KILN_LAYER_CONCAT2(a, b)
#define KILN_REGISTER_LAYER(type, factory) \
  static const ::kiln::LayerRegistration KILN_LAYER_CONCAT(kilnLayerRegistration_, __LINE__)(type, factory)

}  // namespace kiln
