#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/layer.h"
#include "runtime/cpu_features.h"
#include "runtime/thread_pool.h"

namespace kiln {

struct BuildOptions {
  Isa isa = Isa::Scalar;
  int threads = 0;  // <= 0: one per core
  // Time every tactic of every layer that has several and keep the fastest.
  bool timeTactics = true;
  // When non-empty: the tactic of each layer, as recorded in a plan (no timing).
  std::vector<int> tactics;
  // Opaque bytes the TypeScript side stores with the engine (its metadata); kept in the plan.
  std::string userMetadata;
  // Plugin libraries the network's Plugin layers come from; kept alive by the engine.
  std::shared_ptr<const PluginRegistry> plugins;
  // A timing cache: per timing key (timing_key.h), the milliseconds of each tactic by name. A
  // layer whose key is here with every one of its tactics is not timed again.
  std::map<std::string, std::map<std::string, double>> knownTimings;
  // Called as phases progress: (phase, done, total).
  std::function<void(const std::string&, int, int)> progress;
};

// Where a tensor comes from.
struct TensorSlot {
  std::string name;
  DType dtype = DType::Float32;
  int graphInput = -1;               // index into graph.inputs
  const ConstantDesc* constant = nullptr;
  int producer = -1;                 // layer index
  int lastUse = -1;                  // last layer index reading it
  int graphOutput = -1;              // index into graph.outputs
};

struct TacticChoice {
  std::vector<std::string> names;
  std::vector<double> millis;  // empty when not timed
  int chosen = 0;
  std::string timingKey;       // set when the tactics were timed (or their timings looked up)
  bool fromCache = false;      // the timings came from BuildOptions::knownTimings
};

// A compiled network: validated graph, one layer object per node with its tactic chosen and its
// weights packed, and the thread pool. Immutable once built; contexts share it.
class Engine {
 public:
  static std::shared_ptr<Engine> build(GraphDesc graph, BuildOptions options);

  const GraphDesc& graph() const { return graph_; }
  Isa isa() const { return isa_; }
  int threads() const { return pool_->size(); }
  ThreadPool& pool() const { return *pool_; }
  const std::string& userMetadata() const { return userMetadata_; }

  const std::vector<TensorSlot>& tensors() const { return tensors_; }
  const std::vector<std::unique_ptr<Layer>>& layers() const { return layers_; }
  const std::vector<std::vector<int>>& layerInputs() const { return layerInputs_; }
  const std::vector<std::vector<int>>& layerOutputs() const { return layerOutputs_; }
  const std::vector<int>& inputTensors() const { return inputTensors_; }
  const std::vector<int>& outputTensors() const { return outputTensors_; }
  const std::vector<TacticChoice>& tacticChoices() const { return tacticChoices_; }
  std::vector<int> tactics() const;

 private:
  Engine() = default;
  void index();
  void createLayers();
  void timeTactics(const BuildOptions& options);

  GraphDesc graph_;
  Isa isa_ = Isa::Scalar;
  std::string userMetadata_;
  std::shared_ptr<const PluginRegistry> plugins_;
  std::unique_ptr<ThreadPool> pool_;
  std::vector<TensorSlot> tensors_;
  std::vector<std::unique_ptr<Layer>> layers_;
  std::vector<std::vector<int>> layerInputs_, layerOutputs_;
  std::vector<int> inputTensors_, outputTensors_;
  std::vector<TacticChoice> tacticChoices_;
};

}  // namespace kiln
