#include "plugins/plugin_instance.h"

#include <cmath>
#include <cstring>

#include "engine/error.h"

namespace kiln {
namespace {

constexpr char kFieldPrefix[] = "field.";

kiln_dims toDims(const Shape& shape, const std::string& label) {
  if (shape.size() > KILN_MAX_RANK)
    throw Error("KILN_PLUGIN", label + ": tensors of rank " + std::to_string(shape.size()) + " exceed the plugin ABI's " +
                                   std::to_string(KILN_MAX_RANK));
  kiln_dims dims{};
  dims.rank = static_cast<int32_t>(shape.size());
  for (size_t i = 0; i < shape.size(); ++i) dims.dims[i] = shape[i];
  return dims;
}

std::string messageOf(const kiln_error& error) {
  return std::string(error.message, strnlen(error.message, sizeof(error.message)));
}

// Field values in the types the creator declares, and the kiln_field table pointing at them.
struct FieldStorage {
  std::vector<std::vector<int64_t>> ints;
  std::vector<std::vector<float>> floats;
  std::vector<std::string> strings;
  std::vector<kiln_field> fields;
};

void convertFields(const PluginCreatorInfo& creator, const LayerDesc& layer, const std::string& label, FieldStorage* out) {
  for (const auto& [key, value] : layer.attrs) {
    if (key.rfind(kFieldPrefix, 0) != 0) continue;
    const std::string name = key.substr(sizeof(kFieldPrefix) - 1);
    size_t spec = 0;
    while (spec < creator.fields.size() && creator.fieldNames[spec] != name) ++spec;
    if (spec == creator.fields.size()) throw Error("KILN_PLUGIN", label + " has no field '" + name + "'");
    const kiln_field_type type = creator.fields[spec].type;
    kiln_field field{creator.fieldNames[spec].c_str(), type, 0, nullptr};
    if (type == KILN_FIELD_STRING) {
      if (value.kind != AttrValue::Kind::String) throw Error("KILN_PLUGIN", label + ": field '" + name + "' must be a string");
      out->strings.push_back(value.str);
    } else if (type == KILN_FIELD_INT64) {
      std::vector<int64_t> ints = value.ints;
      if (value.kind == AttrValue::Kind::Floats) {
        ints.clear();
        for (float f : value.floats) {
          if (f != std::floor(f)) throw Error("KILN_PLUGIN", label + ": field '" + name + "' must hold integers");
          ints.push_back(static_cast<int64_t>(f));
        }
      } else if (value.kind != AttrValue::Kind::Ints) {
        throw Error("KILN_PLUGIN", label + ": field '" + name + "' must hold integers");
      }
      out->ints.push_back(std::move(ints));
    } else {
      std::vector<float> floats = value.floats;
      if (value.kind == AttrValue::Kind::Ints) floats.assign(value.ints.begin(), value.ints.end());
      else if (value.kind != AttrValue::Kind::Floats) throw Error("KILN_PLUGIN", label + ": field '" + name + "' must hold numbers");
      out->floats.push_back(std::move(floats));
    }
    out->fields.push_back(field);
  }
  // Point the fields at their storage once every vector has stopped growing.
  size_t ints = 0, floats = 0, strings = 0;
  for (kiln_field& field : out->fields) {
    if (field.type == KILN_FIELD_STRING) {
      field.data = out->strings[strings].data();
      field.length = static_cast<int64_t>(out->strings[strings++].size());
    } else if (field.type == KILN_FIELD_INT64) {
      field.data = out->ints[ints].data();
      field.length = static_cast<int64_t>(out->ints[ints++].size());
    } else {
      field.data = out->floats[floats].data();
      field.length = static_cast<int64_t>(out->floats[floats++].size());
    }
    for (size_t s = 0; s < creator.fields.size(); ++s)
      if (creator.fieldNames[s] == field.name && creator.fields[s].length >= 0 && creator.fields[s].length != field.length)
        throw Error("KILN_PLUGIN", label + ": field '" + field.name + "' must have " + std::to_string(creator.fields[s].length) +
                                       " value(s), got " + std::to_string(field.length));
  }
}

}  // namespace

std::unique_ptr<PluginInstance> PluginInstance::create(const PluginCreatorInfo& creator, const LayerDesc& layer) {
  const std::string label = "layer '" + layer.name + "' (plugin " + creator.name + " " + creator.version + ")";
  kiln_error error{};
  kiln_plugin* self = nullptr;
  const kiln_plugin_api* api = nullptr;
  kiln_status status;
  auto serialized = layer.attrs.find("serialized");
  if (serialized != layer.attrs.end()) {
    status = creator.creator->deserialize(serialized->second.str.data(), serialized->second.str.size(), &self, &api, &error);
  } else {
    FieldStorage storage;
    convertFields(creator, layer, label, &storage);
    const kiln_fields fields{storage.fields.data(), static_cast<int32_t>(storage.fields.size())};
    status = creator.creator->create(&fields, &self, &api, &error);
  }
  if (status != KILN_STATUS_OK) throw Error("KILN_PLUGIN", label + ": creating the plugin failed: " + messageOf(error));
  if (!self || !api) throw Error("KILN_PLUGIN", label + ": the creator returned no plugin");
  if (api->header.abi_major != KILN_PLUGIN_ABI_MAJOR || api->header.struct_size < offsetof(kiln_plugin_api, destroy) + sizeof(api->destroy))
    throw Error("KILN_PLUGIN", label + ": the plugin's function table does not match plugin ABI " + std::to_string(KILN_PLUGIN_ABI_MAJOR));
  return std::unique_ptr<PluginInstance>(new PluginInstance(label, self, api));
}

PluginInstance::~PluginInstance() {
  if (api_->destroy) api_->destroy(self_);
}

void PluginInstance::fail(const std::string& what, const kiln_error& error) const {
  throw Error("KILN_PLUGIN", label_ + ": " + what + ": " + messageOf(error));
}

int PluginInstance::numOutputs() const { return api_->num_outputs(self_); }

std::vector<Shape> PluginInstance::outputShapes(const std::vector<Shape>& inputs) const {
  std::vector<kiln_dims> in;
  for (const Shape& s : inputs) in.push_back(toDims(s, label_));
  const int count = numOutputs();
  if (count < 0 || count > 1024) throw Error("KILN_PLUGIN", label_ + ": reports " + std::to_string(count) + " outputs");
  std::vector<kiln_dims> out(count);
  for (auto& d : out) d.rank = -1;
  kiln_error error{};
  if (api_->output_dims(self_, in.data(), static_cast<int32_t>(in.size()), out.data(), &error) != KILN_STATUS_OK)
    fail("computing output shapes failed", error);
  std::vector<Shape> shapes;
  for (int o = 0; o < count; ++o) {
    if (out[o].rank < 0 || out[o].rank > KILN_MAX_RANK)
      throw Error("KILN_PLUGIN", label_ + ": reported rank " + std::to_string(out[o].rank) + " for output " + std::to_string(o));
    Shape s(out[o].dims, out[o].dims + out[o].rank);
    for (int64_t d : s)
      if (d < -1) throw Error("KILN_PLUGIN", label_ + ": reported dimension " + std::to_string(d) + " for output " + std::to_string(o));
    shapes.push_back(std::move(s));
  }
  return shapes;
}

std::vector<DType> PluginInstance::outputTypes(const std::vector<DType>& inputs) const {
  std::vector<kiln_dtype> in;
  for (DType t : inputs) in.push_back(static_cast<kiln_dtype>(t));
  std::vector<kiln_dtype> out(numOutputs(), KILN_DTYPE_FLOAT32);
  kiln_error error{};
  if (api_->output_dtypes(self_, in.data(), static_cast<int32_t>(in.size()), out.data(), &error) != KILN_STATUS_OK)
    fail("computing output types failed", error);
  std::vector<DType> types;
  for (kiln_dtype t : out) {
    if (t < 0 || t >= kDTypeCount) throw Error("KILN_PLUGIN", label_ + ": reported an unknown element type");
    types.push_back(static_cast<DType>(t));
  }
  return types;
}

bool PluginInstance::supports(int position, DType dtype) const {
  return api_->supports(self_, position, static_cast<kiln_dtype>(dtype)) != 0;
}

size_t PluginInstance::workspaceBytes(const std::vector<Shape>& inputs) const {
  std::vector<kiln_dims> in;
  for (const Shape& s : inputs) in.push_back(toDims(s, label_));
  return api_->workspace_size(self_, in.data(), static_cast<int32_t>(in.size()));
}

std::string PluginInstance::serialize() const {
  size_t size = 0;
  kiln_error error{};
  if (api_->serialize(self_, nullptr, &size, &error) != KILN_STATUS_OK) fail("serializing failed", error);
  if (size > (size_t{1} << 30)) throw Error("KILN_PLUGIN", label_ + ": asks to serialize " + std::to_string(size) + " bytes");
  std::string bytes(size, '\0');
  if (size && api_->serialize(self_, bytes.data(), &size, &error) != KILN_STATUS_OK) fail("serializing failed", error);
  bytes.resize(size);
  return bytes;
}

namespace {
struct PoolCall {
  kiln_task_fn fn;
  void* user;
};
int32_t poolSize(kiln_thread_pool* pool) { return reinterpret_cast<ThreadPool*>(pool)->size(); }
void poolParallelFor(kiln_thread_pool* pool, int64_t tasks, kiln_task_fn fn, void* user) {
  const PoolCall call{fn, user};
  reinterpret_cast<ThreadPool*>(pool)->parallelFor(tasks, [&call](int64_t task, int) { call.fn(call.user, task); });
}
}  // namespace

void PluginInstance::enqueue(const std::vector<const void*>& inputs, const std::vector<const Shape*>& inputShapes,
                             const std::vector<DType>& inputTypes, const std::vector<void*>& outputs,
                             const std::vector<const Shape*>& outputShapes, const std::vector<DType>& outputTypes, void* workspace,
                             ThreadPool& pool) const {
  std::vector<kiln_input> in(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) in[i] = {inputs[i], static_cast<kiln_dtype>(inputTypes[i]), toDims(*inputShapes[i], label_)};
  std::vector<kiln_output> out(outputs.size());
  for (size_t o = 0; o < outputs.size(); ++o) out[o] = {outputs[o], static_cast<kiln_dtype>(outputTypes[o]), toDims(*outputShapes[o], label_)};
  const kiln_threads threads{KILN_HEADER(kiln_threads), reinterpret_cast<kiln_thread_pool*>(&pool), poolSize, poolParallelFor};
  kiln_error error{};
  if (api_->enqueue(self_, in.data(), static_cast<int32_t>(in.size()), out.data(), static_cast<int32_t>(out.size()), workspace, &threads,
                    &error) != KILN_STATUS_OK)
    fail("execution failed", error);
}

}  // namespace kiln
