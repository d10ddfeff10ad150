#include "addon/engine_wrap.h"

#include "addon/addon_state.h"
#include "addon/context_wrap.h"
#include "addon/convert.h"
#include "engine/error.h"
#include "engine/plan.h"

namespace kiln::addon {

Napi::Function EngineWrap::define(Napi::Env env) {
  return DefineClass(env, "NativeEngine",
                     {InstanceMethod("info", &EngineWrap::info), InstanceMethod("serialize", &EngineWrap::serialize),
                      InstanceMethod("createContext", &EngineWrap::createContext)});
}

Napi::Object EngineWrap::wrap(Napi::Env env, std::shared_ptr<Engine> engine) {
  Napi::Object object = state(env).engineConstructor.New({});
  Unwrap(object)->engine_ = std::move(engine);
  return object;
}

EngineWrap::EngineWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<EngineWrap>(info) {}

Napi::Value EngineWrap::info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Engine& e = *engine_;
  Napi::Object out = Napi::Object::New(env);
  out.Set("isa", isaName(e.isa()));
  out.Set("threads", e.threads());
  out.Set("userMetadata", e.userMetadata());
  Napi::Array inputs = Napi::Array::New(env);
  for (const InputDesc& in : e.graph().inputs) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", in.name);
    o.Set("dtype", dtypeName(in.dtype));
    o.Set("shape", shapeToJs(env, in.shape));
    o.Set("minShape", shapeToJs(env, in.minShape));
    o.Set("maxShape", shapeToJs(env, in.maxShape));
    inputs.Set(inputs.Length(), o);
  }
  out.Set("inputs", inputs);
  Napi::Array outputs = Napi::Array::New(env);
  for (const std::string& name : e.graph().outputs) outputs.Set(outputs.Length(), name);
  out.Set("outputs", outputs);
  Napi::Array layers = Napi::Array::New(env);
  for (size_t l = 0; l < e.layers().size(); ++l) {
    const LayerDesc& d = e.layers()[l]->desc();
    const TacticChoice& choice = e.tacticChoices()[l];
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", d.name);
    o.Set("type", d.type);
    o.Set("tactic", choice.names.at(choice.chosen));
    Napi::Array timings = Napi::Array::New(env);
    for (size_t t = 0; t < choice.millis.size(); ++t) {
      Napi::Object timing = Napi::Object::New(env);
      timing.Set("tactic", choice.names[t]);
      timing.Set("ms", choice.millis[t]);
      timings.Set(t, timing);
    }
    o.Set("timings", timings);
    if (!choice.timingKey.empty()) {
      o.Set("timingKey", choice.timingKey);
      o.Set("timingsFromCache", choice.fromCache);
    }
    layers.Set(l, o);
  }
  out.Set("layers", layers);
  return out;
}

Napi::Value EngineWrap::serialize(const Napi::CallbackInfo& info) {
  const std::string version = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
  std::vector<uint8_t> bytes = serializePlan(*engine_, version);
  return Napi::Buffer<uint8_t>::Copy(info.Env(), bytes.data(), bytes.size());
}

Napi::Value EngineWrap::createContext(const Napi::CallbackInfo& info) {
  return ContextWrap::wrap(info.Env(), std::make_shared<ExecutionContext>(engine_));
}

}  // namespace kiln::addon
