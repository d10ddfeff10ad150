#include "addon/build_worker.h"

#include "addon/convert.h"
#include "addon/engine_wrap.h"
#include "addon/plugin_registry_wrap.h"
#include "engine/error.h"
#include "engine/plan.h"

namespace kiln::addon {
namespace {

struct Progress {
  std::string phase;
  int done = 0, total = 0;
};

class BuildWorker : public Napi::AsyncProgressQueueWorker<Progress> {
 public:
  BuildWorker(Napi::Env env, GraphDesc graph, BuildOptions options, Napi::Function onProgress)
      : Napi::AsyncProgressQueueWorker<Progress>(env, "kiln.build"),
        deferred_(Napi::Promise::Deferred::New(env)),
        graph_(std::move(graph)),
        options_(std::move(options)) {
    if (!onProgress.IsEmpty()) onProgress_ = Napi::Persistent(onProgress);
  }

  Napi::Promise promise() const { return deferred_.Promise(); }

  void Execute(const ExecutionProgress& progress) override {
    try {
      options_.progress = [&progress](const std::string& phase, int done, int total) {
        Progress p{phase, done, total};
        progress.Send(&p, 1);
      };
      engine_ = Engine::build(std::move(graph_), options_);
    } catch (const Error& e) {
      code_ = e.code();
      SetError(e.what());
    } catch (const std::exception& e) {
      code_ = "KILN_INTERNAL";
      SetError(e.what());
    }
  }

  void OnProgress(const Progress* data, size_t count) override {
    if (onProgress_.IsEmpty()) return;
    Napi::Env env = Env();
    for (size_t i = 0; i < count; ++i)
      onProgress_.Call({Napi::String::New(env, data[i].phase), Napi::Number::New(env, data[i].done),
                        Napi::Number::New(env, data[i].total)});
  }

  void OnOK() override { deferred_.Resolve(EngineWrap::wrap(Env(), engine_)); }
  void OnError(const Napi::Error& error) override { deferred_.Reject(errorToJs(Env(), code_, error.Message()).Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  GraphDesc graph_;
  BuildOptions options_;
  Napi::FunctionReference onProgress_;
  std::shared_ptr<Engine> engine_;
  std::string code_;
};

Isa isaFromJs(const Napi::Object& options) {
  if (!options.Get("isa").IsString()) return defaultIsa();
  const std::string name = options.Get("isa").As<Napi::String>().Utf8Value();
  Isa isa;
  if (!parseIsa(name, &isa)) throw errorToJs(options.Env(), "KILN_OPTIONS", "unknown ISA '" + name + "'");
  return isa;
}

std::pair<const uint8_t*, size_t> bytesFromJs(const Napi::Value& value) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
    throw errorToJs(value.Env(), "KILN_PLAN_MAGIC", "an engine plan must be given as a Uint8Array or Buffer");
  const auto array = value.As<Napi::Uint8Array>();
  return {array.Data(), array.ByteLength()};
}

// { key: { tactic: ms } }; anything else in it is skipped (the TypeScript side validated it).
std::map<std::string, std::map<std::string, double>> knownTimingsFromJs(const Napi::Object& object) {
  std::map<std::string, std::map<std::string, double>> out;
  const Napi::Array keys = object.GetPropertyNames();
  for (uint32_t i = 0; i < keys.Length(); ++i) {
    const std::string key = keys.Get(i).As<Napi::String>().Utf8Value();
    const Napi::Value entry = object.Get(key);
    if (!entry.IsObject()) continue;
    const Napi::Object tactics = entry.As<Napi::Object>();
    const Napi::Array names = tactics.GetPropertyNames();
    for (uint32_t t = 0; t < names.Length(); ++t) {
      const std::string name = names.Get(t).As<Napi::String>().Utf8Value();
      const Napi::Value ms = tactics.Get(name);
      if (ms.IsNumber()) out[key][name] = ms.As<Napi::Number>().DoubleValue();
    }
  }
  return out;
}

}  // namespace

Napi::Value buildEngine(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject() || !info[1].IsObject()) throw errorToJs(env, "KILN_BUILD", "buildEngine expects (graph, options)");
  const auto options = info[1].As<Napi::Object>();
  BuildOptions build;
  build.isa = isaFromJs(options);
  build.threads = options.Get("threads").IsNumber() ? options.Get("threads").As<Napi::Number>().Int32Value() : 0;
  build.timeTactics = !options.Get("timeTactics").IsBoolean() || options.Get("timeTactics").As<Napi::Boolean>().Value();
  if (options.Get("userMetadata").IsString()) build.userMetadata = options.Get("userMetadata").As<Napi::String>().Utf8Value();
  if (options.Get("knownTimings").IsObject()) build.knownTimings = knownTimingsFromJs(options.Get("knownTimings").As<Napi::Object>());
  build.plugins = PluginRegistryWrap::from(options.Get("plugins"));
  GraphDesc graph = graphFromJs(info[0].As<Napi::Object>());
  Napi::Function onProgress = info[2].IsFunction() ? info[2].As<Napi::Function>() : Napi::Function();
  auto* worker = new BuildWorker(env, std::move(graph), std::move(build), onProgress);
  worker->Queue();
  return worker->promise();
}

Napi::Value deserializeEngine(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto [data, size] = bytesFromJs(info[0]);
  try {
    LoadedPlan plan = readPlan(data, size);
    if (!cpuSupports(plan.header.isa))
      throw Error("KILN_PLAN_ISA", std::string("the engine was built for the '") + isaName(plan.header.isa) +
                                       "' instruction set, which this CPU lacks: rebuild it on this machine");
    BuildOptions options;
    options.isa = plan.header.isa;
    options.threads = info[1].IsNumber() ? info[1].As<Napi::Number>().Int32Value() : plan.header.threads;
    options.tactics = plan.tactics;
    options.plugins = PluginRegistryWrap::from(info[2]);
    options.userMetadata = plan.userMetadata;
    return EngineWrap::wrap(env, Engine::build(std::move(plan.graph), std::move(options)));
  } catch (const Error& e) {
    throw errorToJs(env, e.code(), e.what());
  }
}

Napi::Value readPlanHeader(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto [data, size] = bytesFromJs(info[0]);
  try {
    const PlanHeader h = kiln::readPlanHeader(data, size);
    Napi::Object out = Napi::Object::New(env);
    out.Set("formatVersion", h.formatVersion);
    out.Set("kilnVersion", h.kilnVersion);
    out.Set("isa", isaName(h.isa));
    out.Set("threads", h.threads);
    return out;
  } catch (const Error& e) {
    throw errorToJs(env, e.code(), e.what());
  }
}

}  // namespace kiln::addon
