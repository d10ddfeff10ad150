#pragma once
#include <napi.h>

#include <memory>
#include <vector>

#include "engine/execution_context.h"

namespace kiln::addon {

// The input arrays of an inference and the output arrays allocated for it.
struct BoundArrays {
  std::vector<Napi::TypedArray> inputs, outputs;
};

// JS handle of an execution context: execute(inputs, shapes) → Promise<{outputs, shapes}>, and
// executeSync(inputs, shapes) → {outputs, shapes} on the calling thread.
class ContextWrap : public Napi::ObjectWrap<ContextWrap> {
 public:
  static Napi::Function define(Napi::Env env);
  static Napi::Object wrap(Napi::Env env, std::shared_ptr<ExecutionContext> context);
  explicit ContextWrap(const Napi::CallbackInfo& info);

 private:
  BoundArrays bind(const Napi::CallbackInfo& info);
  Napi::Value execute(const Napi::CallbackInfo& info);
  Napi::Value executeSync(const Napi::CallbackInfo& info);
  Napi::Value arenaBytes(const Napi::CallbackInfo& info);
  Napi::Value setProfiling(const Napi::CallbackInfo& info);
  Napi::Value setInputShapes(const Napi::CallbackInfo& info);
  Napi::Value profile(const Napi::CallbackInfo& info);
  Napi::Value observe(const Napi::CallbackInfo& info);
  Napi::Value statistics(const Napi::CallbackInfo& info);

  std::shared_ptr<ExecutionContext> context_;
  std::shared_ptr<bool> busy_ = std::make_shared<bool>(false);
};

}  // namespace kiln::addon
