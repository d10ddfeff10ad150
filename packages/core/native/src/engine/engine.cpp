#include "engine/engine.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <random>

#include "engine/error.h"
#include "engine/execution_context.h"
#include "engine/timing_key.h"

namespace kiln {

std::shared_ptr<Engine> Engine::build(GraphDesc graph, BuildOptions options) {
  if (!cpuSupports(options.isa))
    throw Error("KILN_ISA", std::string("this CPU cannot run the '") + isaName(options.isa) + "' path");
  std::shared_ptr<Engine> engine(new Engine());
  engine->graph_ = std::move(graph);
  engine->isa_ = options.isa;
  engine->userMetadata_ = options.userMetadata;
  engine->plugins_ = options.plugins;
  engine->pool_ = std::make_unique<ThreadPool>(options.threads);
  engine->index();
  engine->createLayers();
  if (!options.tactics.empty()) {
    if (options.tactics.size() != engine->layers_.size())
      throw Error("KILN_PLAN_CORRUPT", "the plan records tactics for a different number of layers");
    for (size_t l = 0; l < engine->layers_.size(); ++l) {
      const int t = options.tactics[l];
      if (t < 0 || t >= engine->layers_[l]->tacticCount())
        throw Error("KILN_PLAN_CORRUPT", "the plan names tactic " + std::to_string(t) + " for layer '" +
                                             engine->layers_[l]->desc().name + "', which has " +
                                             std::to_string(engine->layers_[l]->tacticCount()));
      if (t != engine->layers_[l]->tactic()) engine->layers_[l]->setTactic(t);
      engine->tacticChoices_[l].chosen = t;
    }
  } else if (options.timeTactics) {
    engine->timeTactics(options);
  }
  return engine;
}

void Engine::index() {
  std::map<std::string, int> ids;
  auto define = [&](const std::string& name) {
    if (name.empty()) throw Error("KILN_BUILD", "a tensor has an empty name");
    if (ids.count(name)) throw Error("KILN_BUILD", "tensor '" + name + "' is defined twice");
    ids[name] = static_cast<int>(tensors_.size());
    tensors_.push_back(TensorSlot{name});
    return ids[name];
  };
  for (size_t i = 0; i < graph_.inputs.size(); ++i) {
    const int t = define(graph_.inputs[i].name);
    tensors_[t].graphInput = static_cast<int>(i);
    tensors_[t].dtype = graph_.inputs[i].dtype;
    inputTensors_.push_back(t);
  }
  for (const ConstantDesc& c : graph_.constants) {
    const size_t expected = static_cast<size_t>(elementCount(c.shape)) * dtypeSize(c.dtype);
    if (!c.bytes || c.bytes->size() != expected)
      throw Error("KILN_BUILD", "constant '" + c.name + "' has " + std::to_string(c.bytes ? c.bytes->size() : 0) + " bytes; " +
                                    dtypeName(c.dtype) + " " + shapeToString(c.shape) + " needs " + std::to_string(expected));
    const int t = define(c.name);
    tensors_[t].constant = &c;
    tensors_[t].dtype = c.dtype;
  }
  for (size_t l = 0; l < graph_.layers.size(); ++l) {
    const LayerDesc& layer = graph_.layers[l];
    std::vector<int> in, out;
    for (const std::string& name : layer.inputs) {
      auto it = ids.find(name);
      if (it == ids.end())
        throw Error("KILN_BUILD", "layer '" + layer.name + "' reads tensor '" + name + "', which nothing defines before it");
      in.push_back(it->second);
      tensors_[it->second].lastUse = static_cast<int>(l);
    }
    if (layer.outputTypes.size() != layer.outputs.size())
      throw Error("KILN_BUILD", "layer '" + layer.name + "' declares " + std::to_string(layer.outputTypes.size()) +
                                    " output types for " + std::to_string(layer.outputs.size()) + " outputs");
    for (size_t o = 0; o < layer.outputs.size(); ++o) {
      const int t = define(layer.outputs[o]);
      tensors_[t].producer = static_cast<int>(l);
      tensors_[t].dtype = layer.outputTypes[o];
      out.push_back(t);
    }
    layerInputs_.push_back(in);
    layerOutputs_.push_back(out);
  }
  for (size_t o = 0; o < graph_.outputs.size(); ++o) {
    auto it = ids.find(graph_.outputs[o]);
    if (it == ids.end()) throw Error("KILN_BUILD", "graph output '" + graph_.outputs[o] + "' is not defined");
    if (tensors_[it->second].graphOutput >= 0) throw Error("KILN_BUILD", "graph output '" + graph_.outputs[o] + "' is listed twice");
    tensors_[it->second].graphOutput = static_cast<int>(o);
    outputTensors_.push_back(it->second);
  }
}

// Creates every layer, collecting the ones that cannot be built so they are reported together.
void Engine::createLayers() {
  std::string problems;
  for (size_t l = 0; l < graph_.layers.size(); ++l) {
    LayerBuildContext ctx;
    ctx.isa = isa_;
    ctx.plugins = plugins_.get();
    for (int t : layerInputs_[l]) {
      ctx.constantInputs.push_back(tensors_[t].constant);
      ctx.inputTypes.push_back(tensors_[t].dtype);
    }
    for (int t : layerOutputs_[l]) ctx.outputTypes.push_back(tensors_[t].dtype);
    try {
      layers_.push_back(createLayer(graph_.layers[l], ctx));
      layers_.back()->recordInPlan(graph_.layers[l]);
    } catch (const Error& e) {
      if (e.code() != "KILN_BUILD") throw;
      problems += std::string(problems.empty() ? "" : "\n  ") + e.what();
      continue;
    }
    TacticChoice choice;
    for (int t = 0; t < layers_.back()->tacticCount(); ++t) choice.names.push_back(layers_.back()->tacticName(t));
    choice.chosen = layers_.back()->tactic();
    tacticChoices_.push_back(choice);
  }
  if (!problems.empty()) throw Error("KILN_BUILD", "the network cannot be built:\n  " + problems);
}

std::vector<int> Engine::tactics() const {
  std::vector<int> out;
  for (const auto& layer : layers_) out.push_back(layer->tactic());
  return out;
}

// Runs the network once on random inputs of the inputs' opt shapes, then times each tactic of every
// layer that has several on those activations and keeps the fastest.
void Engine::timeTactics(const BuildOptions& options) {
  std::vector<size_t> candidates;
  for (size_t l = 0; l < layers_.size(); ++l)
    if (layers_[l]->tacticCount() > 1) candidates.push_back(l);
  if (candidates.empty()) return;

  std::shared_ptr<const Engine> self(this, [](const Engine*) {});
  ExecutionContext context(self);
  std::vector<Shape> shapes;
  for (const InputDesc& in : graph_.inputs) {
    Shape s = in.optShape.empty() ? in.shape : in.optShape;
    for (auto& d : s) d = d < 0 ? 1 : d;
    shapes.push_back(s);
  }
  context.setInputShapes(shapes);
  std::mt19937 rng(1234);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  // Float inputs get random values, others zeros (valid indices, sizes and flags).
  std::vector<std::vector<uint8_t>> inputData, outputData;
  std::vector<const void*> inputs;
  std::vector<void*> outputs;
  for (size_t i = 0; i < shapes.size(); ++i) {
    const DType dtype = graph_.inputs[i].dtype;
    inputData.emplace_back(elementCount(shapes[i]) * dtypeSize(dtype));
    if (dtype == DType::Float32) {
      auto* values = reinterpret_cast<float*>(inputData.back().data());
      for (int64_t k = 0; k < elementCount(shapes[i]); ++k) values[k] = dist(rng);
    }
    inputs.push_back(inputData.back().data());
  }
  for (size_t o = 0; o < outputTensors_.size(); ++o) {
    outputData.emplace_back(std::max<int64_t>(1, elementCount(context.outputShape(o))) * dtypeSize(tensors_[outputTensors_[o]].dtype));
    outputs.push_back(outputData.back().data());
  }
  context.execute(inputs, outputs);

  AlignedBuffer workspace;
  int done = 0;
  for (size_t l : candidates) {
    Layer& layer = *layers_[l];
    TacticChoice& choice = tacticChoices_[l];
    int best = 0;
    std::vector<DType> inputTypes;
    std::vector<Shape> inputShapes;
    for (int t : layerInputs_[l]) {
      inputTypes.push_back(tensors_[t].dtype);
      inputShapes.push_back(context.tensorShape(t));
    }
    choice.timingKey = timingKey(layer.desc(), inputTypes, inputShapes, options.isa, threads());
    if (const auto known = options.knownTimings.find(choice.timingKey); known != options.knownTimings.end()) {
      choice.millis.clear();
      for (const std::string& name : choice.names) {
        const auto ms = known->second.find(name);
        if (ms == known->second.end()) break;
        choice.millis.push_back(ms->second);
      }
      if (choice.millis.size() == choice.names.size()) {
        for (int t = 0; t < layer.tacticCount(); ++t)
          if (choice.millis[t] < choice.millis[best]) best = t;
        if (best != layer.tactic()) layer.setTactic(best);
        choice.chosen = best;
        choice.fromCache = true;
        if (options.progress) options.progress("timing tactics", ++done, static_cast<int>(candidates.size()));
        continue;
      }
    }
    // Rounds that take the tactics in turn, so a burst of load elsewhere on the machine hits them
    // alike; each tactic keeps its best time.
    choice.millis.assign(layer.tacticCount(), 1e30);
    for (int round = 0; round < 3; ++round) {
      for (int t = 0; t < layer.tacticCount(); ++t) {
        layer.setTactic(t);
        workspace.reserve(std::max<size_t>(64, context.layerWorkspaceBytes(l)));
        context.runLayer(l, workspace.data());  // warm-up
        for (int rep = 0; rep < 3; ++rep) {
          const auto start = std::chrono::steady_clock::now();
          context.runLayer(l, workspace.data());
          const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
          choice.millis[t] = std::min(choice.millis[t], ms);
          if (ms > 50) break;
        }
      }
    }
    for (int t = 0; t < layer.tacticCount(); ++t)
      if (choice.millis[t] < choice.millis[best]) best = t;
    layer.setTactic(best);
    choice.chosen = best;
    if (options.progress) options.progress("timing tactics", ++done, static_cast<int>(candidates.size()));
  }
}

}  // namespace kiln
