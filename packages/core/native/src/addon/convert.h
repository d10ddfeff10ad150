#pragma once
#include <napi.h>

#include <string>

#include "engine/dtype.h"
#include "engine/graph.h"
#include "engine/shape.h"

namespace kiln::addon {

// JS → C++ (throws Napi::Error with code KILN_BUILD on a malformed description).
GraphDesc graphFromJs(const Napi::Object& graph);
Shape shapeFromJs(const Napi::Value& value, const std::string& what);

DType dtypeFromJs(const Napi::Value& value, const std::string& what);
// The typed-array kind that holds a dtype (float16 as Uint16Array, bool as Uint8Array).
napi_typedarray_type typedArrayTypeOf(DType dtype);
Napi::TypedArray newTypedArray(Napi::Env env, DType dtype, size_t elements);
// An inference output: like newTypedArray, except that a large one's memory comes from
// outputBufferPool() (not zeroed: every element is written) and goes back when it is collected.
Napi::TypedArray newOutputArray(Napi::Env env, DType dtype, size_t elements);

// C++ → JS
Napi::Array shapeToJs(Napi::Env env, const Shape& shape);

// A JS Error carrying the kiln::Error's code, for the TS side to map onto its typed errors.
Napi::Error errorToJs(Napi::Env env, const std::string& code, const std::string& message);

}  // namespace kiln::addon
