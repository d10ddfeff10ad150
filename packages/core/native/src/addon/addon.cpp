#include <napi.h>

#include "addon/addon_state.h"
#include "addon/build_worker.h"
#include "addon/context_wrap.h"
#include "addon/engine_wrap.h"
#include "addon/plugin_registry_wrap.h"
#include "engine/layer.h"
#include "kernels/qconv2d.h"
#include "runtime/cpu_features.h"
#include "runtime/fma_peak.h"

namespace kiln::addon {
namespace {

Napi::Value supportedIsas(const Napi::CallbackInfo& info) {
  const auto isas = kiln::supportedIsas();
  Napi::Array out = Napi::Array::New(info.Env(), isas.size());
  for (size_t i = 0; i < isas.size(); ++i) out.Set(i, isaName(isas[i]));
  return out;
}

Napi::Value defaultIsa(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), isaName(kiln::defaultIsa())); }

Napi::Value layerTypes(const Napi::CallbackInfo& info) {
  const auto types = registeredLayerTypes();
  Napi::Array out = Napi::Array::New(info.Env(), types.size());
  for (size_t i = 0; i < types.size(); ++i) out.Set(i, types[i]);
  return out;
}

// measurePeakGflops(isa, threads, seconds): the FMA-loop peak the benchmarks compare against.
Napi::Value measurePeakGflops(const Napi::CallbackInfo& info) {
  Isa isa = kiln::defaultIsa();
  if (info[0].IsString() && !parseIsa(info[0].As<Napi::String>().Utf8Value(), &isa))
    throw Napi::Error::New(info.Env(), "unknown ISA");
  if (!cpuSupports(isa)) throw Napi::Error::New(info.Env(), "this CPU lacks that ISA");
  const int threads = info[1].IsNumber() ? info[1].As<Napi::Number>().Int32Value() : 1;
  const double seconds = info[2].IsNumber() ? info[2].As<Napi::Number>().DoubleValue() : 0.3;
  return Napi::Number::New(info.Env(), kiln::measurePeakGflops(isa, threads, seconds));
}

// int8Path(isa) → {name, fast}: the integer path INT8 layers built for this ISA would take.
Napi::Value int8Path(const Napi::CallbackInfo& info) {
  Isa isa = kiln::defaultIsa();
  if (info[0].IsString() && !parseIsa(info[0].As<Napi::String>().Utf8Value(), &isa))
    throw Napi::Error::New(info.Env(), "unknown ISA");
  const Int8Path path = int8PathFor(isa);
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("name", int8PathName(path));
  out.Set("fast", int8PathIsFast(path));
  return out;
}

Napi::Object init(Napi::Env env, Napi::Object exports) {
  auto* s = new AddonState();
  s->engineConstructor = Napi::Persistent(EngineWrap::define(env));
  s->contextConstructor = Napi::Persistent(ContextWrap::define(env));
  Napi::Function pluginRegistry = PluginRegistryWrap::define(env);
  s->pluginRegistryConstructor = Napi::Persistent(pluginRegistry);
  exports.Set("NativePluginRegistry", pluginRegistry);
  env.SetInstanceData(s);
  exports.Set("supportedIsas", Napi::Function::New(env, supportedIsas));
  exports.Set("defaultIsa", Napi::Function::New(env, defaultIsa));
  exports.Set("layerTypes", Napi::Function::New(env, layerTypes));
  exports.Set("measurePeakGflops", Napi::Function::New(env, measurePeakGflops));
  exports.Set("int8Path", Napi::Function::New(env, int8Path));
  exports.Set("buildEngine", Napi::Function::New(env, buildEngine));
  exports.Set("deserialize", Napi::Function::New(env, deserializeEngine));
  exports.Set("readPlanHeader", Napi::Function::New(env, readPlanHeader));
  return exports;
}

}  // namespace
}  // namespace kiln::addon

static Napi::Object InitKiln(Napi::Env env, Napi::Object exports) { return kiln::addon::init(env, exports); }

NODE_API_MODULE(kiln_core, InitKiln)
