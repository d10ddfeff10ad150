#include <napi.h>

#include "runtime/cpu_features.h"

namespace {

Napi::Value SupportedIsas(const Napi::CallbackInfo& info) {
  const auto isas = kiln::supportedIsas();
  Napi::Array out = Napi::Array::New(info.Env(), isas.size());
  for (size_t i = 0; i < isas.size(); ++i) out.Set(i, kiln::isaName(isas[i]));
  return out;
}

Napi::Value DefaultIsa(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), kiln::isaName(kiln::defaultIsa()));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("supportedIsas", Napi::Function::New(env, SupportedIsas));
  exports.Set("defaultIsa", Napi::Function::New(env, DefaultIsa));
  return exports;
}

}  // namespace

NODE_API_MODULE(kiln_core, Init)
