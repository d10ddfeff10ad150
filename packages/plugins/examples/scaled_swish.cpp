// ScaledSwish: y = x · sigmoid(beta · x), elementwise on float32 — a parametric activation as a
// Kiln plugin. Field: beta (float32, one value, default 1).
#include <cmath>
#include <cstring>
#include <new>

#include "kiln_plugin.h"

namespace {

struct ScaledSwish {
  float beta = 1.f;
};

void setError(kiln_error* error, const char* message) {
  std::strncpy(error->message, message, KILN_ERROR_MESSAGE_SIZE - 1);
  error->message[KILN_ERROR_MESSAGE_SIZE - 1] = '\0';
}

const ScaledSwish* self(const kiln_plugin* plugin) { return reinterpret_cast<const ScaledSwish*>(plugin); }

int32_t numOutputs(const kiln_plugin*) { return 1; }

kiln_status outputDims(const kiln_plugin*, const kiln_dims* inputs, int32_t numInputs, kiln_dims* outputs, kiln_error* error) {
  if (numInputs != 1) {
    setError(error, "ScaledSwish takes exactly one input");
    return KILN_STATUS_ERROR;
  }
  outputs[0] = inputs[0];
  return KILN_STATUS_OK;
}

kiln_status outputDtypes(const kiln_plugin*, const kiln_dtype* inputs, int32_t, kiln_dtype* outputs, kiln_error*) {
  outputs[0] = inputs[0];
  return KILN_STATUS_OK;
}

int32_t supports(const kiln_plugin*, int32_t, kiln_dtype dtype) { return dtype == KILN_DTYPE_FLOAT32; }

size_t workspaceSize(const kiln_plugin*, const kiln_dims*, int32_t) { return 0; }

kiln_status serialize(const kiln_plugin* plugin, void* buffer, size_t* size, kiln_error* error) {
  if (buffer) {
    if (*size < sizeof(float)) {
      setError(error, "buffer too small");
      return KILN_STATUS_ERROR;
    }
    std::memcpy(buffer, &self(plugin)->beta, sizeof(float));
  }
  *size = sizeof(float);
  return KILN_STATUS_OK;
}

struct Job {
  const float* x;
  float* y;
  int64_t count;
  int64_t chunk;
  float beta;
};

void runChunk(void* user, int64_t task) {
  const Job& job = *static_cast<const Job*>(user);
  const int64_t begin = task * job.chunk;
  const int64_t end = begin + job.chunk < job.count ? begin + job.chunk : job.count;
  for (int64_t i = begin; i < end; ++i) job.y[i] = job.x[i] / (1.f + std::exp(-job.beta * job.x[i]));
}

kiln_status enqueue(const kiln_plugin* plugin, const kiln_input* inputs, int32_t, kiln_output* outputs, int32_t, void*,
                    const kiln_threads* threads, kiln_error*) {
  int64_t count = 1;
  for (int32_t d = 0; d < inputs[0].dims.rank; ++d) count *= inputs[0].dims.dims[d];
  Job job{static_cast<const float*>(inputs[0].data), static_cast<float*>(outputs[0].data), count, 16384, self(plugin)->beta};
  threads->parallel_for(threads->pool, (count + job.chunk - 1) / job.chunk, runChunk, &job);
  return KILN_STATUS_OK;
}

void destroy(kiln_plugin* plugin) { delete reinterpret_cast<ScaledSwish*>(plugin); }

const kiln_plugin_api kApi = {KILN_HEADER(kiln_plugin_api), numOutputs, outputDims, outputDtypes, supports, workspaceSize, serialize, enqueue, destroy};

kiln_status create(const kiln_fields* fields, kiln_plugin** plugin, const kiln_plugin_api** api, kiln_error* error) {
  auto* swish = new (std::nothrow) ScaledSwish();
  if (!swish) {
    setError(error, "out of memory");
    return KILN_STATUS_ERROR;
  }
  for (int32_t i = 0; i < fields->count; ++i) {
    const kiln_field& field = fields->fields[i];
    if (std::strcmp(field.name, "beta") == 0) swish->beta = *static_cast<const float*>(field.data);
  }
  *plugin = reinterpret_cast<kiln_plugin*>(swish);
  *api = &kApi;
  return KILN_STATUS_OK;
}

kiln_status deserialize(const void* data, size_t size, kiln_plugin** plugin, const kiln_plugin_api** api, kiln_error* error) {
  if (size != sizeof(float)) {
    setError(error, "ScaledSwish expects 4 serialized bytes");
    return KILN_STATUS_ERROR;
  }
  auto* swish = new ScaledSwish();
  std::memcpy(&swish->beta, data, sizeof(float));
  *plugin = reinterpret_cast<kiln_plugin*>(swish);
  *api = &kApi;
  return KILN_STATUS_OK;
}

const kiln_field_spec kFields[] = {{"beta", KILN_FIELD_FLOAT32, 1}};
const kiln_plugin_creator kCreator = {KILN_HEADER(kiln_plugin_creator), "ScaledSwish", "1", "kiln.examples", kFields, 1, create, deserialize};
const kiln_plugin_creator* const kCreators[] = {&kCreator};
const kiln_plugin_library kLibrary = {KILN_HEADER(kiln_plugin_library), 1, kCreators};

}  // namespace

extern "C" KILN_PLUGIN_EXPORT const kiln_plugin_library* kiln_get_plugin_library(void) { return &kLibrary; }
