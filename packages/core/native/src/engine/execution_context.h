#pragma once
#include <memory>
#include <vector>

#include "calibration/tensor_histogram.h"
#include "engine/engine.h"
#include "engine/shape.h"
#include "engine/tensor_views.h"

namespace kiln {

// 64-byte-aligned scratch memory that only grows.
class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  ~AlignedBuffer();
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  void reserve(size_t bytes);
  char* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  char* data_ = nullptr;
  size_t size_ = 0;
};

// The per-call state of an engine: every tensor's shape for the current input shapes, and the
// activation arena planned by liveness. One context runs one inference at a time; create several
// for concurrency (they share the engine's weights).
class ExecutionContext {
 public:
  explicit ExecutionContext(std::shared_ptr<const Engine> engine);

  // Infers all shapes for these input shapes and plans memory (skipped when they are unchanged).
  // Throws kiln::Error KILN_INPUT (outside the engine's profile) or KILN_SHAPE.
  void setInputShapes(const std::vector<Shape>& shapes);
  const Shape& inputShape(size_t i) const { return shapes_[engine_->inputTensors()[i]]; }
  const Shape& outputShape(size_t i) const { return shapes_[engine_->outputTensors()[i]]; }
  // Tensor t's planned shape for the current input shapes.
  const Shape& tensorShape(int t) const { return shapes_[t]; }
  // The shape output i actually has after the last execute (below outputShape() only for outputs
  // whose length depends on the data).
  const Shape& resultShape(size_t i) const { return resultShapes_[engine_->outputTensors()[i]]; }
  size_t arenaBytes() const { return arenaBytes_; }
  size_t workspaceBytes() const { return workspaceBytes_; }

  // inputs/outputs: one buffer per graph input/output, of its dtype, sized for the current shapes.
  void execute(const std::vector<const void*>& inputs, const std::vector<void*>& outputs);

  // Scratch memory layer `index` needs with its current tactic for the current shapes.
  size_t layerWorkspaceBytes(size_t index) const;
  // Runs layer `index` alone on the buffers of the last execute (for tactic timing).
  void runLayer(size_t index, void* workspace);

  const Engine& engine() const { return *engine_; }

  // Per-layer wall time, summed over the executes since profiling was turned on.
  void setProfiling(bool on);
  const std::vector<double>& layerMillis() const { return layerMillis_; }
  int profiledRuns() const { return profiledRuns_; }

  // Calibration: every later execute adds the values of these float32 tensors (layer outputs)
  // to their histograms. Throws KILN_INPUT naming a tensor that is not a float32 layer output.
  void observe(const std::vector<std::string>& tensorNames, int initialBins);
  struct Observation {
    int tensor;
    TensorHistogram histogram;
  };
  const std::vector<Observation>& observations() const { return observations_; }

 private:
  void prepareRuns();
  void* tensorData(int tensor) const;
  void* storageOf(int tensor) const;

  std::shared_ptr<const Engine> engine_;
  std::vector<Shape> inputShapes_;
  std::vector<Shape> shapes_;
  std::vector<Shape> resultShapes_;
  std::vector<size_t> offsets_;
  std::vector<TensorView> roots_;
  std::vector<LayerRun> runs_;
  size_t arenaBytes_ = 0, workspaceBytes_ = 0;
  bool planned_ = false;
  AlignedBuffer arena_, workspace_;
  std::vector<const void*> boundInputs_;
  std::vector<void*> boundOutputs_;
  void observeOutputs(size_t layer);
  bool profiling_ = false;
  std::vector<Observation> observations_;
  std::vector<int> observationOf_;  // per tensor: index into observations_, or -1
  std::vector<double> layerMillis_;
  int profiledRuns_ = 0;
};

}  // namespace kiln
