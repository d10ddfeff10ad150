#include "addon/plugin_registry_wrap.h"

#include "addon/addon_state.h"
#include "addon/convert.h"
#include "engine/error.h"
#include "plugins/plugin_query.h"

namespace kiln::addon {
namespace {

const char* fieldTypeName(kiln_field_type type) {
  switch (type) {
    case KILN_FIELD_INT64: return "int64";
    case KILN_FIELD_FLOAT32: return "float32";
    case KILN_FIELD_STRING: return "string";
  }
  return "unknown";
}

Napi::Array creatorsToJs(Napi::Env env, const std::vector<PluginCreatorInfo>& creators) {
  Napi::Array out = Napi::Array::New(env, creators.size());
  for (size_t i = 0; i < creators.size(); ++i) {
    const PluginCreatorInfo& c = creators[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", c.name);
    o.Set("version", c.version);
    o.Set("namespace", c.pluginNamespace);
    o.Set("library", c.library);
    Napi::Array fields = Napi::Array::New(env, c.fields.size());
    for (size_t f = 0; f < c.fields.size(); ++f) {
      Napi::Object field = Napi::Object::New(env);
      field.Set("name", c.fieldNames[f]);
      field.Set("type", fieldTypeName(c.fields[f].type));
      field.Set("length", static_cast<double>(c.fields[f].length));
      fields.Set(f, field);
    }
    o.Set("fields", fields);
    out.Set(i, o);
  }
  return out;
}

}  // namespace

Napi::Function PluginRegistryWrap::define(Napi::Env env) {
  return DefineClass(env, "NativePluginRegistry",
                     {InstanceMethod("load", &PluginRegistryWrap::load), InstanceMethod("list", &PluginRegistryWrap::list),
                      InstanceMethod("outputInfo", &PluginRegistryWrap::outputInfo)});
}

PluginRegistryWrap::PluginRegistryWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<PluginRegistryWrap>(info) {}

std::shared_ptr<const PluginRegistry> PluginRegistryWrap::from(const Napi::Value& value) {
  if (!value.IsObject()) return nullptr;
  Napi::Object object = value.As<Napi::Object>();
  if (!object.InstanceOf(state(value.Env()).pluginRegistryConstructor.Value())) return nullptr;
  return Unwrap(object)->registry_;
}

Napi::Value PluginRegistryWrap::load(const Napi::CallbackInfo& info) {
  if (!info[0].IsString()) throw errorToJs(info.Env(), "KILN_PLUGIN_LOAD", "load expects a library path");
  try {
    return creatorsToJs(info.Env(), registry_->load(info[0].As<Napi::String>().Utf8Value()));
  } catch (const Error& e) {
    throw errorToJs(info.Env(), e.code(), e.what());
  }
}

Napi::Value PluginRegistryWrap::list(const Napi::CallbackInfo& info) { return creatorsToJs(info.Env(), registry_->list()); }

// outputInfo(layer: {name, type: 'Plugin', inputs, outputs, attrs}, inputShapes (-1 = dynamic), inputTypes)
//   → {shapes, dtypes}: what the plugin reports, for build-time shape inference.
Napi::Value PluginRegistryWrap::outputInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  try {
    Napi::Object graph = Napi::Object::New(env);
    Napi::Array layers = Napi::Array::New(env, 1);
    Napi::Object layer = info[0].As<Napi::Object>();
    if (!layer.Has("outputTypes")) layer.Set("outputTypes", Napi::Array::New(env));
    layers.Set(uint32_t{0}, layer);
    graph.Set("inputs", Napi::Array::New(env));
    graph.Set("outputs", Napi::Array::New(env));
    graph.Set("constants", Napi::Array::New(env));
    graph.Set("layers", layers);
    const LayerDesc desc = graphFromJs(graph).layers.at(0);
    std::vector<Shape> shapes;
    std::vector<DType> types;
    const auto shapesJs = info[1].As<Napi::Array>();
    const auto typesJs = info[2].As<Napi::Array>();
    for (uint32_t i = 0; i < shapesJs.Length(); ++i) shapes.push_back(shapeFromJs(shapesJs.Get(i), "input shape"));
    for (uint32_t i = 0; i < typesJs.Length(); ++i) types.push_back(dtypeFromJs(typesJs.Get(i), "input type"));
    const PluginOutputs result = queryPluginOutputs(*registry_, desc, shapes, types);
    const auto& outShapes = result.shapes;
    const auto& outTypes = result.types;
    Napi::Object out = Napi::Object::New(env);
    Napi::Array shapesOut = Napi::Array::New(env, outShapes.size());
    Napi::Array typesOut = Napi::Array::New(env, outTypes.size());
    for (size_t o = 0; o < outShapes.size(); ++o) shapesOut.Set(o, shapeToJs(env, outShapes[o]));
    for (size_t o = 0; o < outTypes.size(); ++o) typesOut.Set(o, dtypeName(outTypes[o]));
    out.Set("shapes", shapesOut);
    out.Set("dtypes", typesOut);
    out.Set("version", result.version);
    return out;
  } catch (const Error& e) {
    throw errorToJs(env, e.code(), e.what());
  }
}

}  // namespace kiln::addon
