#pragma once
#include <napi.h>

#include <memory>

#include "engine/engine.h"

namespace kiln::addon {

// JS handle of a built engine: info(), serialize(version), createContext().
class EngineWrap : public Napi::ObjectWrap<EngineWrap> {
 public:
  static Napi::Function define(Napi::Env env);
  static Napi::Object wrap(Napi::Env env, std::shared_ptr<Engine> engine);
  explicit EngineWrap(const Napi::CallbackInfo& info);

 private:
  Napi::Value info(const Napi::CallbackInfo& info);
  Napi::Value serialize(const Napi::CallbackInfo& info);
  Napi::Value createContext(const Napi::CallbackInfo& info);

  std::shared_ptr<Engine> engine_;
};

}  // namespace kiln::addon
