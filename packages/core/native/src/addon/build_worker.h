#pragma once
#include <napi.h>

namespace kiln::addon {

// buildEngine(graph, options, onProgress?) → Promise<NativeEngine>; the build (kernel creation,
// weight packing, tactic timing) runs on a worker thread.
Napi::Value buildEngine(const Napi::CallbackInfo& info);

// deserialize(bytes) → NativeEngine (synchronous: no timing, weights repacked).
Napi::Value deserializeEngine(const Napi::CallbackInfo& info);

// readPlanHeader(bytes) → {formatVersion, kilnVersion, isa, threads}; throws on a bad plan.
Napi::Value readPlanHeader(const Napi::CallbackInfo& info);

}  // namespace kiln::addon
