#include "addon/context_wrap.h"

#include <algorithm>

#include "addon/addon_state.h"
#include "addon/convert.h"
#include "engine/error.h"

namespace kiln::addon {
namespace {

void* dataOf(const Napi::TypedArray& array) { return static_cast<uint8_t*>(array.ArrayBuffer().Data()) + array.ByteOffset(); }

// {outputs, shapes} of an inference that has run.
Napi::Object resultToJs(Napi::Env env, const std::vector<Napi::TypedArray>& outputs, const ExecutionContext& context) {
  Napi::Array arrays = Napi::Array::New(env, outputs.size());
  Napi::Array shapes = Napi::Array::New(env, outputs.size());
  for (size_t o = 0; o < outputs.size(); ++o) {
    arrays.Set(o, outputs[o]);
    shapes.Set(o, shapeToJs(env, context.resultShape(o)));
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("outputs", arrays);
  result.Set("shapes", shapes);
  return result;
}

// Runs one inference on a libuv worker thread; the JS arrays stay referenced until it settles.
class ExecuteWorker : public Napi::AsyncWorker {
 public:
  ExecuteWorker(Napi::Env env, std::shared_ptr<ExecutionContext> context, std::shared_ptr<bool> busy, const BoundArrays& bound)
      : Napi::AsyncWorker(env, "kiln.execute"),
        deferred_(Napi::Promise::Deferred::New(env)),
        context_(std::move(context)),
        busy_(std::move(busy)) {
    for (const auto& array : bound.inputs) {
      inputs_.push_back(Napi::Persistent(array));
      inputPtrs_.push_back(dataOf(array));
    }
    for (const auto& array : bound.outputs) {
      outputs_.push_back(Napi::Persistent(array));
      outputPtrs_.push_back(dataOf(array));
    }
  }

  Napi::Promise promise() const { return deferred_.Promise(); }

  void Execute() override {
    try {
      context_->execute(inputPtrs_, outputPtrs_);
    } catch (const Error& e) {
      code_ = e.code();
      SetError(e.what());
    } catch (const std::exception& e) {
      code_ = "KILN_INTERNAL";
      SetError(e.what());
    }
  }

  void OnOK() override {
    *busy_ = false;
    std::vector<Napi::TypedArray> outputs;
    for (auto& ref : outputs_) outputs.push_back(ref.Value());
    deferred_.Resolve(resultToJs(Env(), outputs, *context_));
  }

  void OnError(const Napi::Error& error) override {
    *busy_ = false;
    deferred_.Reject(errorToJs(Env(), code_, error.Message()).Value());
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<ExecutionContext> context_;
  std::shared_ptr<bool> busy_;
  std::vector<Napi::Reference<Napi::TypedArray>> inputs_, outputs_;
  std::vector<const void*> inputPtrs_;
  std::vector<void*> outputPtrs_;
  std::string code_;
};

}  // namespace

Napi::Function ContextWrap::define(Napi::Env env) {
  return DefineClass(env, "NativeContext",
                     {InstanceMethod("execute", &ContextWrap::execute), InstanceMethod("executeSync", &ContextWrap::executeSync),
                      InstanceMethod("arenaBytes", &ContextWrap::arenaBytes),
                      InstanceMethod("setProfiling", &ContextWrap::setProfiling), InstanceMethod("profile", &ContextWrap::profile),
                      InstanceMethod("setInputShapes", &ContextWrap::setInputShapes), InstanceMethod("observe", &ContextWrap::observe),
                      InstanceMethod("statistics", &ContextWrap::statistics)});
}

Napi::Object ContextWrap::wrap(Napi::Env env, std::shared_ptr<ExecutionContext> context) {
  Napi::Object object = state(env).contextConstructor.New({});
  Unwrap(object)->context_ = std::move(context);
  return object;
}

ContextWrap::ContextWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ContextWrap>(info) {}

Napi::Value ContextWrap::arenaBytes(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(context_->arenaBytes() + context_->workspaceBytes()));
}

Napi::Value ContextWrap::setProfiling(const Napi::CallbackInfo& info) {
  if (*busy_) throw errorToJs(info.Env(), "KILN_CONTEXT_BUSY", "cannot change profiling while an inference runs");
  context_->setProfiling(info[0].ToBoolean().Value());
  return info.Env().Undefined();
}

// setInputShapes(shapes: number[][]) → output shapes: plans shapes and memory ahead of execute.
Napi::Value ContextWrap::setInputShapes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (*busy_) throw errorToJs(env, "KILN_CONTEXT_BUSY", "cannot change input shapes while an inference runs");
  if (!info[0].IsArray()) throw errorToJs(env, "KILN_INPUT", "setInputShapes expects one shape per input");
  const auto shapesJs = info[0].As<Napi::Array>();
  std::vector<Shape> shapes;
  for (uint32_t i = 0; i < shapesJs.Length(); ++i) shapes.push_back(shapeFromJs(shapesJs.Get(i), "input shape"));
  try {
    context_->setInputShapes(shapes);
  } catch (const Error& e) {
    throw errorToJs(env, e.code(), e.what());
  }
  const size_t outputs = context_->engine().graph().outputs.size();
  Napi::Array out = Napi::Array::New(env, outputs);
  for (size_t o = 0; o < outputs; ++o) out.Set(o, shapeToJs(env, context_->outputShape(o)));
  return out;
}

// profile() → {runs, layerMillis: number[]} (summed over runs).
Napi::Value ContextWrap::profile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("runs", context_->profiledRuns());
  const auto& ms = context_->layerMillis();
  Napi::Array array = Napi::Array::New(env, ms.size());
  for (size_t i = 0; i < ms.size(); ++i) array.Set(i, ms[i]);
  out.Set("layerMillis", array);
  return out;
}

// observe(tensorNames: string[], initialBins: number): histograms of these tensors from now on.
Napi::Value ContextWrap::observe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (*busy_) throw errorToJs(env, "KILN_CONTEXT_BUSY", "cannot change observed tensors while an inference runs");
  if (!info[0].IsArray() || !info[1].IsNumber()) throw errorToJs(env, "KILN_INPUT", "observe expects (tensorNames[], initialBins)");
  const auto namesJs = info[0].As<Napi::Array>();
  std::vector<std::string> names;
  for (uint32_t i = 0; i < namesJs.Length(); ++i) names.push_back(namesJs.Get(i).ToString().Utf8Value());
  try {
    context_->observe(names, info[1].As<Napi::Number>().Int32Value());
  } catch (const Error& e) {
    throw errorToJs(env, e.code(), e.what());
  }
  return env.Undefined();
}

// statistics() → [{name, min, max, binWidth, counts: Float64Array}] of the observed tensors.
Napi::Value ContextWrap::statistics(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto& observations = context_->observations();
  Napi::Array out = Napi::Array::New(env, observations.size());
  for (size_t i = 0; i < observations.size(); ++i) {
    const TensorHistogram& h = observations[i].histogram;
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", context_->engine().tensors()[observations[i].tensor].name);
    o.Set("min", h.min());
    o.Set("max", h.max());
    o.Set("binWidth", h.binWidth());
    auto counts = Napi::Float64Array::New(env, h.counts().size());
    std::copy(h.counts().begin(), h.counts().end(), counts.Data());
    o.Set("counts", counts);
    auto positive = Napi::Float64Array::New(env, h.positiveCounts().size());
    std::copy(h.positiveCounts().begin(), h.positiveCounts().end(), positive.Data());
    o.Set("positiveCounts", positive);
    out.Set(i, o);
  }
  return out;
}

// Validates every input buffer against its shape, plans shapes and memory for them, and allocates
// the outputs: what execute and executeSync share. (inputs: TypedArray[], shapes: number[][])
BoundArrays ContextWrap::bind(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (*busy_) throw errorToJs(env, "KILN_CONTEXT_BUSY", "this execution context is already running an inference");
  if (!info[0].IsArray() || !info[1].IsArray()) throw errorToJs(env, "KILN_INPUT", "execute expects (inputs[], shapes[])");
  const auto inputs = info[0].As<Napi::Array>();
  const auto shapesJs = info[1].As<Napi::Array>();
  if (inputs.Length() != shapesJs.Length()) throw errorToJs(env, "KILN_INPUT", "one shape per input is required");
  BoundArrays bound;
  std::vector<Shape> shapes;
  const auto& graphInputs = context_->engine().graph().inputs;
  if (inputs.Length() != graphInputs.size())
    throw errorToJs(env, "KILN_INPUT", "expected " + std::to_string(graphInputs.size()) + " inputs, got " + std::to_string(inputs.Length()));
  for (uint32_t i = 0; i < inputs.Length(); ++i) {
    const std::string name = graphInputs[i].name;
    const Napi::Value v = inputs.Get(i);
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != typedArrayTypeOf(graphInputs[i].dtype))
      throw errorToJs(env, "KILN_INPUT", "input '" + name + "' must hold " + dtypeName(graphInputs[i].dtype) + " data in its typed array");
    Shape shape = shapeFromJs(shapesJs.Get(i), "input shape");
    for (int64_t d : shape)
      if (d < 0) throw errorToJs(env, "KILN_INPUT", "input '" + name + "' has a negative dimension");
    const auto array = v.As<Napi::TypedArray>();
    if (static_cast<int64_t>(array.ElementLength()) != elementCount(shape))
      throw errorToJs(env, "KILN_INPUT", "input '" + name + "' has " + std::to_string(array.ElementLength()) +
                                             " elements, its shape " + shapeToString(shape) + " needs " + std::to_string(elementCount(shape)));
    shapes.push_back(std::move(shape));
    bound.inputs.push_back(array);
  }
  try {
    context_->setInputShapes(shapes);
  } catch (const Error& e) {
    throw errorToJs(env, e.code(), e.what());
  }
  const auto& engine = context_->engine();
  for (size_t o = 0; o < engine.graph().outputs.size(); ++o) {
    const DType dtype = engine.tensors()[engine.outputTensors()[o]].dtype;
    bound.outputs.push_back(newOutputArray(env, dtype, elementCount(context_->outputShape(o))));
  }
  return bound;
}

// execute(inputs, shapes) → Promise<{outputs, shapes}>: runs on a libuv worker.
Napi::Value ContextWrap::execute(const Napi::CallbackInfo& info) {
  const BoundArrays bound = bind(info);
  *busy_ = true;
  auto* worker = new ExecuteWorker(info.Env(), context_, busy_, bound);
  worker->Queue();
  return worker->promise();
}

// executeSync(inputs, shapes) → {outputs, shapes}: runs on this (the JS) thread.
Napi::Value ContextWrap::executeSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const BoundArrays bound = bind(info);
  std::vector<const void*> inputs;
  std::vector<void*> outputs;
  for (const auto& array : bound.inputs) inputs.push_back(dataOf(array));
  for (const auto& array : bound.outputs) outputs.push_back(dataOf(array));
  try {
    context_->execute(inputs, outputs);
  } catch (const Error& e) {
    throw errorToJs(env, e.code(), e.what());
  } catch (const std::exception& e) {
    throw errorToJs(env, "KILN_INTERNAL", e.what());
  }
  return resultToJs(env, bound.outputs, *context_);
}

}  // namespace kiln::addon
