#pragma once
#include <napi.h>

#include <memory>

#include "plugins/plugin_registry.h"

namespace kiln::addon {

// JS handle of a native plugin registry: load(path), list(), outputInfo(layer, shapes, types).
class PluginRegistryWrap : public Napi::ObjectWrap<PluginRegistryWrap> {
 public:
  static Napi::Function define(Napi::Env env);
  explicit PluginRegistryWrap(const Napi::CallbackInfo& info);

  // The registry behind a JS value, or null when the value is not a registry handle.
  static std::shared_ptr<const PluginRegistry> from(const Napi::Value& value);

 private:
  Napi::Value load(const Napi::CallbackInfo& info);
  Napi::Value list(const Napi::CallbackInfo& info);
  Napi::Value outputInfo(const Napi::CallbackInfo& info);

  std::shared_ptr<PluginRegistry> registry_ = std::make_shared<PluginRegistry>();
};

}  // namespace kiln::addon
