#include "engine/execution_context.h"

#include <chrono>
#include <cstdlib>
#include <cstring>

#include "engine/error.h"
#include "engine/memory_plan.h"
#include "engine/tensor_views.h"

namespace kiln {

AlignedBuffer::~AlignedBuffer() { std::free(data_); }

void AlignedBuffer::reserve(size_t bytes) {
  if (bytes <= size_) return;
  std::free(data_);
  const size_t rounded = (bytes + 63) / 64 * 64;
  data_ = static_cast<char*>(std::aligned_alloc(64, rounded));
  if (!data_) throw Error("KILN_MEMORY", "cannot allocate " + std::to_string(rounded) + " bytes");
  size_ = rounded;
}

ExecutionContext::ExecutionContext(std::shared_ptr<const Engine> engine) : engine_(std::move(engine)) {
  shapes_.resize(engine_->tensors().size());
  offsets_.resize(engine_->tensors().size(), 0);
  for (size_t t = 0; t < engine_->tensors().size(); ++t)
    if (const ConstantDesc* c = engine_->tensors()[t].constant) shapes_[t] = c->shape;
  resultShapes_.resize(shapes_.size());
  prepareRuns();
}

void ExecutionContext::setInputShapes(const std::vector<Shape>& shapes) {
  const auto& inputs = engine_->graph().inputs;
  if (shapes.size() != inputs.size())
    throw Error("KILN_INPUT", "expected " + std::to_string(inputs.size()) + " inputs, got " + std::to_string(shapes.size()));
  if (planned_ && shapes == inputShapes_) return;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const InputDesc& in = inputs[i];
    const Shape& s = shapes[i];
    bool ok = s.size() == in.shape.size();
    for (size_t d = 0; ok && d < s.size(); ++d) {
      if (in.shape[d] >= 0) ok = s[d] == in.shape[d];
      else ok = s[d] >= std::max<int64_t>(in.minShape.empty() ? 1 : in.minShape[d], 0) &&
                (in.maxShape.empty() || in.maxShape[d] < 0 || s[d] <= in.maxShape[d]);
    }
    if (!ok) {
      std::string range;
      if (!in.minShape.empty()) range = " (dynamic dims between " + shapeToString(in.minShape) + " and " + shapeToString(in.maxShape) + ")";
      throw Error("KILN_INPUT", "input '" + in.name + "': expected shape " + shapeToString(in.shape) + range + ", got " + shapeToString(s));
    }
    shapes_[engine_->inputTensors()[i]] = s;
  }

  const auto& layers = engine_->layers();
  size_t workspace = 0;
  const int threads = engine_->threads();
  for (size_t l = 0; l < layers.size(); ++l) {
    std::vector<Shape> in;
    for (int t : engine_->layerInputs()[l]) in.push_back(shapes_[t]);
    const std::vector<Shape> out = layers[l]->inferShapes(in);
    const auto& outIds = engine_->layerOutputs()[l];
    if (out.size() != outIds.size())
      throw Error("KILN_SHAPE", "layer '" + layers[l]->desc().name + "' produced the wrong number of outputs");
    for (size_t o = 0; o < out.size(); ++o) shapes_[outIds[o]] = out[o];
    workspace = std::max(workspace, layers[l]->workspaceBytes(in, threads));
  }

  // Tensors living inside others share their home's storage, so the home's lifetime spans them all.
  const auto views = planTensorViews(*engine_, shapes_);
  const auto& tensors = engine_->tensors();
  std::vector<int> first(tensors.size(), -1), last(tensors.size(), -1);
  roots_.resize(tensors.size());
  for (size_t t = 0; t < tensors.size(); ++t) {
    roots_[t] = resolveView(views, static_cast<int>(t));
    const int root = roots_[t].parent;
    const TensorSlot& slot = tensors[t];
    if (slot.producer < 0) continue;
    first[root] = first[root] < 0 ? slot.producer : std::min(first[root], slot.producer);
    last[root] = std::max({last[root], slot.producer, slot.lastUse});
  }
  std::vector<BufferLifetime> lifetimes;
  std::vector<int> arenaTensors;
  for (size_t t = 0; t < tensors.size(); ++t) {
    const TensorSlot& slot = tensors[t];
    if (slot.producer < 0 || slot.graphOutput >= 0 || roots_[t].parent != static_cast<int>(t)) continue;
    lifetimes.push_back({dtypeSize(slot.dtype) * static_cast<size_t>(elementCount(shapes_[t])), first[t], last[t]});
    arenaTensors.push_back(static_cast<int>(t));
  }
  const MemoryPlan plan = planMemory(lifetimes);
  for (size_t i = 0; i < arenaTensors.size(); ++i) offsets_[arenaTensors[i]] = plan.offsets[i];
  arenaBytes_ = plan.arenaBytes;
  workspaceBytes_ = workspace;
  arena_.reserve(arenaBytes_);
  workspace_.reserve(workspaceBytes_);
  resultShapes_ = shapes_;
  inputShapes_ = shapes;
  planned_ = true;
}

void* ExecutionContext::tensorData(int tensor) const {
  const TensorView& view = roots_[tensor];
  return static_cast<char*>(storageOf(view.parent)) + view.byteOffset;
}

void* ExecutionContext::storageOf(int t) const {
  const TensorSlot& slot = engine_->tensors()[t];
  if (slot.graphInput >= 0) return const_cast<void*>(boundInputs_[slot.graphInput]);
  if (slot.constant) return slot.constant->bytes->data();
  if (slot.graphOutput >= 0) return boundOutputs_[slot.graphOutput];
  return arena_.data() + offsets_[t];
}

void ExecutionContext::observe(const std::vector<std::string>& names, int initialBins) {
  if (initialBins < 1) throw Error("KILN_INPUT", "a histogram needs at least one bin");
  const auto& tensors = engine_->tensors();
  std::vector<Observation> observations;
  std::vector<int> observationOf(tensors.size(), -1);
  for (const std::string& name : names) {
    int found = -1;
    for (size_t t = 0; t < tensors.size(); ++t)
      if (tensors[t].name == name) found = static_cast<int>(t);
    if (found < 0 || (tensors[found].producer < 0 && tensors[found].graphInput < 0) || tensors[found].dtype != DType::Float32)
      throw Error("KILN_INPUT", "cannot observe '" + name + "': it is not a float32 input or layer output of this engine");
    if (observationOf[found] >= 0) continue;
    observationOf[found] = static_cast<int>(observations.size());
    observations.push_back({found, TensorHistogram(initialBins)});
  }
  observations_ = std::move(observations);
  observationOf_ = std::move(observationOf);
}

void ExecutionContext::observeOutputs(size_t l) {
  for (int t : engine_->layerOutputs()[l]) {
    const int o = observationOf_[t];
    if (o >= 0) observations_[o].histogram.add(static_cast<const float*>(tensorData(t)), elementCount(resultShapes_[t]));
  }
}

void ExecutionContext::setProfiling(bool on) {
  profiling_ = on;
  layerMillis_.assign(engine_->layers().size(), 0.0);
  profiledRuns_ = 0;
}

size_t ExecutionContext::layerWorkspaceBytes(size_t l) const {
  std::vector<Shape> in;
  for (int t : engine_->layerInputs()[l]) in.push_back(shapes_[t]);
  return engine_->layers()[l]->workspaceBytes(in, engine_->threads());
}

// Each layer's run arguments are built once per plan; an execute only fills in the data pointers,
// which depend on the buffers bound to it.
void ExecutionContext::prepareRuns() {
  const auto& tensors = engine_->tensors();
  runs_.assign(engine_->layers().size(), LayerRun{});
  for (size_t l = 0; l < runs_.size(); ++l) {
    LayerRun& run = runs_[l];
    for (int t : engine_->layerInputs()[l]) {
      run.inputShapes.push_back(&shapes_[t]);
      run.inputTypes.push_back(tensors[t].dtype);
    }
    for (int t : engine_->layerOutputs()[l]) {
      run.outputShapes.push_back(&shapes_[t]);
      run.outputTypes.push_back(tensors[t].dtype);
      run.resultShapes.push_back(&resultShapes_[t]);
    }
    run.inputs.resize(run.inputShapes.size());
    run.outputs.resize(run.outputShapes.size());
    run.pool = &engine_->pool();
  }
}

void ExecutionContext::runLayer(size_t l, void* workspace) {
  LayerRun& run = runs_[l];
  const auto& in = engine_->layerInputs()[l];
  const auto& out = engine_->layerOutputs()[l];
  for (size_t i = 0; i < in.size(); ++i) run.inputs[i] = tensorData(in[i]);
  for (size_t o = 0; o < out.size(); ++o) run.outputs[o] = tensorData(out[o]);
  run.workspace = workspace;
  engine_->layers()[l]->run(run);
}

void ExecutionContext::execute(const std::vector<const void*>& inputs, const std::vector<void*>& outputs) {
  if (!planned_) throw Error("KILN_INPUT", "input shapes were not set before execute");
  if (inputs.size() != engine_->inputTensors().size() || outputs.size() != engine_->outputTensors().size())
    throw Error("KILN_INPUT", "wrong number of input or output buffers");
  boundInputs_ = inputs;
  boundOutputs_ = outputs;
  const size_t layers = engine_->layers().size();
  if (profiling_) {
    layerMillis_.resize(layers, 0.0);
    for (size_t l = 0; l < layers; ++l) {
      const auto start = std::chrono::steady_clock::now();
      runLayer(l, workspace_.data());
      layerMillis_[l] += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    }
    ++profiledRuns_;
  } else if (!observations_.empty()) {
    for (Observation& o : observations_) {
      const int input = engine_->tensors()[o.tensor].graphInput;
      if (input >= 0) o.histogram.add(static_cast<const float*>(inputs[input]), elementCount(shapes_[o.tensor]));
    }
    for (size_t l = 0; l < layers; ++l) {
      runLayer(l, workspace_.data());
      observeOutputs(l);
    }
  } else {
    for (size_t l = 0; l < layers; ++l) runLayer(l, workspace_.data());
  }
  // Outputs no layer writes (a graph input or a constant marked as output) are copied. An output
  // whose result came out shorter than planned (a data-dependent shape) is zeroed past its end:
  // output buffers are recycled, and must not show an earlier inference's values there.
  const auto& tensors = engine_->tensors();
  for (size_t o = 0; o < outputs.size(); ++o) {
    const int t = engine_->outputTensors()[o];
    const TensorSlot& slot = tensors[t];
    const size_t resultBytes = dtypeSize(slot.dtype) * elementCount(resultShapes_[t]);
    const size_t plannedBytes = dtypeSize(slot.dtype) * elementCount(shapes_[t]);
    if (resultBytes < plannedBytes) std::memset(static_cast<char*>(outputs[o]) + resultBytes, 0, plannedBytes - resultBytes);
    if (slot.producer >= 0) continue;
    const void* src = slot.graphInput >= 0 ? inputs[slot.graphInput] : slot.constant->bytes->data();
    std::memcpy(outputs[o], src, dtypeSize(slot.dtype) * elementCount(shapes_[engine_->outputTensors()[o]]));
  }
}

}  // namespace kiln
