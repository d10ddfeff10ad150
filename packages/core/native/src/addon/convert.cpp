#include "addon/convert.h"

#include "runtime/output_buffer_pool.h"

namespace kiln::addon {
namespace {

[[noreturn]] void malformed(Napi::Env env, const std::string& what) {
  throw errorToJs(env, "KILN_BUILD", "malformed network description: " + what);
}

std::vector<std::string> stringsFromJs(const Napi::Value& value, const std::string& what) {
  if (!value.IsArray()) malformed(value.Env(), what + " must be an array of strings");
  const auto array = value.As<Napi::Array>();
  std::vector<std::string> out;
  for (uint32_t i = 0; i < array.Length(); ++i) {
    const Napi::Value v = array.Get(i);
    if (!v.IsString()) malformed(value.Env(), what + " must be an array of strings");
    out.push_back(v.As<Napi::String>().Utf8Value());
  }
  return out;
}

std::string stringFromJs(const Napi::Object& object, const char* key, const std::string& what) {
  const Napi::Value v = object.Get(key);
  if (!v.IsString()) malformed(object.Env(), what + "." + key + " must be a string");
  return v.As<Napi::String>().Utf8Value();
}

AttrValue attrFromJs(const Napi::Value& value, const std::string& what) {
  if (!value.IsObject()) malformed(value.Env(), what + " must be an object");
  const auto object = value.As<Napi::Object>();
  AttrValue attr;
  if (object.Has("ints")) {
    attr.kind = AttrValue::Kind::Ints;
    attr.ints = shapeFromJs(object.Get("ints"), what);
  } else if (object.Has("floats")) {
    attr.kind = AttrValue::Kind::Floats;
    const Napi::Value v = object.Get("floats");
    if (!v.IsArray()) malformed(value.Env(), what + ".floats must be an array");
    const auto array = v.As<Napi::Array>();
    for (uint32_t i = 0; i < array.Length(); ++i) attr.floats.push_back(array.Get(i).ToNumber().FloatValue());
  } else if (object.Has("str")) {
    attr.kind = AttrValue::Kind::String;
    attr.str = stringFromJs(object, "str", what);
  } else {
    malformed(value.Env(), what + " has none of ints, floats, str");
  }
  return attr;
}

}  // namespace

DType dtypeFromJs(const Napi::Value& value, const std::string& what) {
  DType dtype;
  if (!value.IsString() || !parseDType(value.As<Napi::String>().Utf8Value(), &dtype)) malformed(value.Env(), what + " must name a dtype");
  return dtype;
}

napi_typedarray_type typedArrayTypeOf(DType dtype) {
  switch (dtype) {
    case DType::Float32: return napi_float32_array;
    case DType::Float16: return napi_uint16_array;
    case DType::Int8: return napi_int8_array;
    case DType::Uint8: return napi_uint8_array;
    case DType::Int32: return napi_int32_array;
    case DType::Int64: return napi_bigint64_array;
    case DType::Bool: return napi_uint8_array;
  }
  return napi_uint8_array;
}

namespace {
// A typed array of `dtype` over the first `elements` of `buffer`.
Napi::TypedArray typedArrayOver(Napi::Env env, DType dtype, Napi::ArrayBuffer buffer, size_t elements) {
  switch (dtype) {
    case DType::Float32: return Napi::Float32Array::New(env, elements, buffer, 0);
    case DType::Float16: return Napi::Uint16Array::New(env, elements, buffer, 0);
    case DType::Int8: return Napi::Int8Array::New(env, elements, buffer, 0);
    case DType::Uint8:
    case DType::Bool: return Napi::Uint8Array::New(env, elements, buffer, 0);
    case DType::Int32: return Napi::Int32Array::New(env, elements, buffer, 0);
    case DType::Int64: return Napi::BigInt64Array::New(env, elements, buffer, 0);
  }
  return Napi::Uint8Array::New(env, elements * dtypeSize(dtype), buffer, 0);
}

// Outputs from this size up come from the recycling pool.
constexpr size_t kPooledOutputBytes = size_t{1} << 20;
}  // namespace

Napi::TypedArray newOutputArray(Napi::Env env, DType dtype, size_t elements) {
  const size_t bytes = elements * dtypeSize(dtype);
  if (bytes < kPooledOutputBytes) return newTypedArray(env, dtype, elements);
  OutputBufferPool& pool = outputBufferPool();
  void* data = pool.acquire(bytes);
  Napi::ArrayBuffer buffer;
  try {
    buffer = Napi::ArrayBuffer::New(env, data, bytes, [&pool, bytes](Napi::Env, void* released) { pool.release(released, bytes); });
  } catch (const Napi::Error&) {
    // Runtimes that forbid external buffers (Electron's V8 sandbox): a plain, fresh array.
    pool.release(data, bytes);
    return newTypedArray(env, dtype, elements);
  }
  return typedArrayOver(env, dtype, buffer, elements);
}

Napi::TypedArray newTypedArray(Napi::Env env, DType dtype, size_t elements) {
  switch (dtype) {
    case DType::Float32: return Napi::Float32Array::New(env, elements);
    case DType::Float16: return Napi::Uint16Array::New(env, elements);
    case DType::Int8: return Napi::Int8Array::New(env, elements);
    case DType::Uint8:
    case DType::Bool: return Napi::Uint8Array::New(env, elements);
    case DType::Int32: return Napi::Int32Array::New(env, elements);
    case DType::Int64: return Napi::BigInt64Array::New(env, elements);
  }
  return Napi::Uint8Array::New(env, elements);
}

Napi::Error errorToJs(Napi::Env env, const std::string& code, const std::string& message) {
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  return error;
}

Shape shapeFromJs(const Napi::Value& value, const std::string& what) {
  if (!value.IsArray()) malformed(value.Env(), what + " must be an array of integers");
  const auto array = value.As<Napi::Array>();
  Shape shape;
  for (uint32_t i = 0; i < array.Length(); ++i) {
    const Napi::Value v = array.Get(i);
    if (!v.IsNumber()) malformed(value.Env(), what + " must be an array of integers");
    shape.push_back(v.As<Napi::Number>().Int64Value());
  }
  return shape;
}

Napi::Array shapeToJs(Napi::Env env, const Shape& shape) {
  Napi::Array out = Napi::Array::New(env, shape.size());
  for (size_t i = 0; i < shape.size(); ++i) out.Set(i, Napi::Number::New(env, static_cast<double>(shape[i])));
  return out;
}

GraphDesc graphFromJs(const Napi::Object& graph) {
  Napi::Env env = graph.Env();
  GraphDesc g;
  const Napi::Value inputs = graph.Get("inputs");
  if (!inputs.IsArray()) malformed(env, "inputs must be an array");
  for (uint32_t i = 0; i < inputs.As<Napi::Array>().Length(); ++i) {
    const auto in = inputs.As<Napi::Array>().Get(i).As<Napi::Object>();
    InputDesc desc;
    desc.name = stringFromJs(in, "name", "input");
    desc.dtype = dtypeFromJs(in.Get("dtype"), "input '" + desc.name + "' dtype");
    desc.shape = shapeFromJs(in.Get("shape"), "input.shape");
    desc.minShape = shapeFromJs(in.Get("minShape"), "input.minShape");
    desc.optShape = shapeFromJs(in.Get("optShape"), "input.optShape");
    desc.maxShape = shapeFromJs(in.Get("maxShape"), "input.maxShape");
    g.inputs.push_back(std::move(desc));
  }
  g.outputs = stringsFromJs(graph.Get("outputs"), "outputs");
  const Napi::Value constants = graph.Get("constants");
  if (!constants.IsArray()) malformed(env, "constants must be an array");
  for (uint32_t i = 0; i < constants.As<Napi::Array>().Length(); ++i) {
    const auto c = constants.As<Napi::Array>().Get(i).As<Napi::Object>();
    ConstantDesc desc;
    desc.name = stringFromJs(c, "name", "constant");
    desc.dtype = dtypeFromJs(c.Get("dtype"), "constant '" + desc.name + "' dtype");
    desc.shape = shapeFromJs(c.Get("shape"), "constant.shape");
    const Napi::Value data = c.Get("data");
    if (!data.IsTypedArray() || data.As<Napi::TypedArray>().TypedArrayType() != typedArrayTypeOf(desc.dtype))
      malformed(env, "constant '" + desc.name + "' data does not match its dtype " + dtypeName(desc.dtype));
    const auto array = data.As<Napi::TypedArray>();
    const auto* bytes = static_cast<const uint8_t*>(array.ArrayBuffer().Data()) + array.ByteOffset();
    desc.bytes = std::make_shared<std::vector<uint8_t>>(bytes, bytes + array.ByteLength());
    g.constants.push_back(std::move(desc));
  }
  const Napi::Value layers = graph.Get("layers");
  if (!layers.IsArray()) malformed(env, "layers must be an array");
  for (uint32_t i = 0; i < layers.As<Napi::Array>().Length(); ++i) {
    const auto l = layers.As<Napi::Array>().Get(i).As<Napi::Object>();
    LayerDesc desc;
    desc.name = stringFromJs(l, "name", "layer");
    desc.type = stringFromJs(l, "type", "layer '" + desc.name + "'");
    desc.inputs = stringsFromJs(l.Get("inputs"), "layer '" + desc.name + "' inputs");
    desc.outputs = stringsFromJs(l.Get("outputs"), "layer '" + desc.name + "' outputs");
    const Napi::Value types = l.Get("outputTypes");
    if (!types.IsArray()) malformed(env, "layer '" + desc.name + "' outputTypes must be an array");
    for (uint32_t t = 0; t < types.As<Napi::Array>().Length(); ++t)
      desc.outputTypes.push_back(dtypeFromJs(types.As<Napi::Array>().Get(t), "layer '" + desc.name + "' output type"));
    const Napi::Value attrs = l.Get("attrs");
    if (!attrs.IsObject()) malformed(env, "layer '" + desc.name + "' attrs must be an object");
    const auto names = attrs.As<Napi::Object>().GetPropertyNames();
    for (uint32_t a = 0; a < names.Length(); ++a) {
      const std::string key = names.Get(a).As<Napi::String>().Utf8Value();
      desc.attrs[key] = attrFromJs(attrs.As<Napi::Object>().Get(key), "layer '" + desc.name + "' attribute '" + key + "'");
    }
    g.layers.push_back(std::move(desc));
  }
  return g;
}

}  // namespace kiln::addon
