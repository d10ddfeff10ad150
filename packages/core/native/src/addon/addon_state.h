#pragma once
#include <napi.h>

namespace kiln::addon {

// Per-environment constructors, kept as instance data so worker threads and multiple Node
// environments each see their own.
struct AddonState {
  Napi::FunctionReference engineConstructor;
  Napi::FunctionReference contextConstructor;
  Napi::FunctionReference pluginRegistryConstructor;
};

inline AddonState& state(Napi::Env env) { return *env.GetInstanceData<AddonState>(); }

}  // namespace kiln::addon
