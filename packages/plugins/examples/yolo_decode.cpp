// YoloDecode: YOLOv5's detection-head decode as one plugin layer. Inputs: the raw outputs of the
// head convolutions, one per level, [batch, anchors·(5 + classes), H, W]. Output:
// [batch, Σ anchors·H·W, 5 + classes] with, per cell and anchor, sigmoid applied and
//   x, y = (2·s − 0.5 + cell) · stride,   w, h = (2·s)² · anchor,   the rest = s.
// Fields: anchors (float32, 2 per anchor per level, in pixels), strides (float32, one per level),
// num_classes (int64, one value).
#include <cmath>
#include <cstring>
#include <new>
#include <vector>

#include "kiln_plugin.h"

namespace {

struct YoloDecode {
  std::vector<float> anchors;
  std::vector<float> strides;
  int64_t classes = 80;

  int64_t levels() const { return static_cast<int64_t>(strides.size()); }
  int64_t anchorsPerLevel() const { return levels() ? static_cast<int64_t>(anchors.size()) / (2 * levels()) : 0; }
  int64_t outputsPerAnchor() const { return 5 + classes; }
};

void setError(kiln_error* error, const char* message) {
  std::strncpy(error->message, message, KILN_ERROR_MESSAGE_SIZE - 1);
  error->message[KILN_ERROR_MESSAGE_SIZE - 1] = '\0';
}

const YoloDecode& self(const kiln_plugin* plugin) { return *reinterpret_cast<const YoloDecode*>(plugin); }

const char* validate(const YoloDecode& d) {
  if (d.strides.empty()) return "YoloDecode needs at least one stride";
  if (d.anchors.empty() || d.anchors.size() % (2 * d.strides.size()) != 0) return "YoloDecode needs 2 anchor values per anchor per level";
  if (d.classes < 1) return "YoloDecode needs num_classes >= 1";
  return nullptr;
}

int32_t numOutputs(const kiln_plugin*) { return 1; }

kiln_status outputDims(const kiln_plugin* plugin, const kiln_dims* inputs, int32_t numInputs, kiln_dims* outputs, kiln_error* error) {
  const YoloDecode& d = self(plugin);
  if (numInputs != d.levels()) {
    setError(error, "YoloDecode takes one input per stride");
    return KILN_STATUS_ERROR;
  }
  int64_t rows = 0;
  bool dynamic = false;
  for (int32_t i = 0; i < numInputs; ++i) {
    const kiln_dims& in = inputs[i];
    if (in.rank != 4 || (in.dims[1] >= 0 && in.dims[1] != d.anchorsPerLevel() * d.outputsPerAnchor())) {
      setError(error, "YoloDecode inputs must be [batch, anchors*(5+classes), H, W]");
      return KILN_STATUS_ERROR;
    }
    if (in.dims[2] < 0 || in.dims[3] < 0) dynamic = true;
    else rows += d.anchorsPerLevel() * in.dims[2] * in.dims[3];
  }
  outputs[0].rank = 3;
  outputs[0].dims[0] = inputs[0].dims[0];
  outputs[0].dims[1] = dynamic ? -1 : rows;
  outputs[0].dims[2] = d.outputsPerAnchor();
  return KILN_STATUS_OK;
}

kiln_status outputDtypes(const kiln_plugin*, const kiln_dtype*, int32_t, kiln_dtype* outputs, kiln_error*) {
  outputs[0] = KILN_DTYPE_FLOAT32;
  return KILN_STATUS_OK;
}

int32_t supports(const kiln_plugin*, int32_t, kiln_dtype dtype) { return dtype == KILN_DTYPE_FLOAT32; }

size_t workspaceSize(const kiln_plugin*, const kiln_dims*, int32_t) { return 0; }

// Layout: int64 classes, int64 levels, int64 anchor count, then the floats.
kiln_status serialize(const kiln_plugin* plugin, void* buffer, size_t* size, kiln_error* error) {
  const YoloDecode& d = self(plugin);
  const size_t needed = 3 * sizeof(int64_t) + (d.anchors.size() + d.strides.size()) * sizeof(float);
  if (buffer) {
    if (*size < needed) {
      setError(error, "buffer too small");
      return KILN_STATUS_ERROR;
    }
    auto* out = static_cast<char*>(buffer);
    const int64_t header[3] = {d.classes, d.levels(), static_cast<int64_t>(d.anchors.size())};
    std::memcpy(out, header, sizeof(header));
    std::memcpy(out + sizeof(header), d.strides.data(), d.strides.size() * sizeof(float));
    std::memcpy(out + sizeof(header) + d.strides.size() * sizeof(float), d.anchors.data(), d.anchors.size() * sizeof(float));
  }
  *size = needed;
  return KILN_STATUS_OK;
}

struct Job {
  const YoloDecode* decode;
  const kiln_input* inputs;
  float* out;
  int64_t batch;
  int64_t totalRows;
};

// One task per (level, batch item, anchor, grid row).
void decodeRow(void* user, int64_t task) {
  const Job& job = *static_cast<const Job*>(user);
  const YoloDecode& d = *job.decode;
  const int64_t na = d.anchorsPerLevel(), no = d.outputsPerAnchor();
  int64_t rowOffset = 0;
  for (int64_t level = 0; level < d.levels(); ++level) {
    const kiln_dims& dims = job.inputs[level].dims;
    const int64_t h = dims.dims[2], w = dims.dims[3];
    const int64_t tasks = job.batch * na * h;
    if (task >= tasks) {
      task -= tasks;
      rowOffset += na * h * w;
      continue;
    }
    const int64_t y = task % h, a = (task / h) % na, n = task / (h * na);
    const float* in = static_cast<const float*>(job.inputs[level].data) + ((n * na + a) * no * h + y) * w;
    float* out = job.out + (n * job.totalRows + rowOffset + (a * h + y) * w) * no;
    const float stride = d.strides[level];
    const float anchorW = d.anchors[(level * na + a) * 2], anchorH = d.anchors[(level * na + a) * 2 + 1];
    for (int64_t x = 0; x < w; ++x) {
      float* cell = out + x * no;
      for (int64_t c = 0; c < no; ++c) {
        const float s = 1.f / (1.f + std::exp(-in[c * h * w + x]));
        if (c == 0) cell[c] = (s * 2.f - 0.5f + static_cast<float>(x)) * stride;
        else if (c == 1) cell[c] = (s * 2.f - 0.5f + static_cast<float>(y)) * stride;
        else if (c == 2) cell[c] = (s * 2.f) * (s * 2.f) * anchorW;
        else if (c == 3) cell[c] = (s * 2.f) * (s * 2.f) * anchorH;
        else cell[c] = s;
      }
    }
    return;
  }
}

kiln_status enqueue(const kiln_plugin* plugin, const kiln_input* inputs, int32_t numInputs, kiln_output* outputs, int32_t, void*,
                    const kiln_threads* threads, kiln_error* error) {
  const YoloDecode& d = self(plugin);
  if (numInputs != d.levels()) {
    setError(error, "YoloDecode takes one input per stride");
    return KILN_STATUS_ERROR;
  }
  const int64_t batch = inputs[0].dims.dims[0];
  int64_t tasks = 0;
  for (int32_t i = 0; i < numInputs; ++i) tasks += batch * d.anchorsPerLevel() * inputs[i].dims.dims[2];
  Job job{&d, inputs, static_cast<float*>(outputs[0].data), batch, outputs[0].dims.dims[1]};
  threads->parallel_for(threads->pool, tasks, decodeRow, &job);
  return KILN_STATUS_OK;
}

void destroy(kiln_plugin* plugin) { delete reinterpret_cast<YoloDecode*>(plugin); }

const kiln_plugin_api kApi = {KILN_HEADER(kiln_plugin_api), numOutputs, outputDims, outputDtypes, supports, workspaceSize, serialize, enqueue, destroy};

kiln_status finish(YoloDecode* decode, kiln_plugin** plugin, const kiln_plugin_api** api, kiln_error* error) {
  if (const char* problem = validate(*decode)) {
    setError(error, problem);
    delete decode;
    return KILN_STATUS_ERROR;
  }
  *plugin = reinterpret_cast<kiln_plugin*>(decode);
  *api = &kApi;
  return KILN_STATUS_OK;
}

kiln_status create(const kiln_fields* fields, kiln_plugin** plugin, const kiln_plugin_api** api, kiln_error* error) {
  auto* decode = new (std::nothrow) YoloDecode();
  if (!decode) {
    setError(error, "out of memory");
    return KILN_STATUS_ERROR;
  }
  for (int32_t i = 0; i < fields->count; ++i) {
    const kiln_field& f = fields->fields[i];
    const auto* floats = static_cast<const float*>(f.data);
    if (std::strcmp(f.name, "anchors") == 0) decode->anchors.assign(floats, floats + f.length);
    else if (std::strcmp(f.name, "strides") == 0) decode->strides.assign(floats, floats + f.length);
    else if (std::strcmp(f.name, "num_classes") == 0) decode->classes = *static_cast<const int64_t*>(f.data);
  }
  return finish(decode, plugin, api, error);
}

kiln_status deserialize(const void* data, size_t size, kiln_plugin** plugin, const kiln_plugin_api** api, kiln_error* error) {
  int64_t header[3];
  if (size < sizeof(header)) {
    setError(error, "truncated YoloDecode data");
    return KILN_STATUS_ERROR;
  }
  std::memcpy(header, data, sizeof(header));
  if (header[1] < 0 || header[2] < 0 || size != sizeof(header) + static_cast<size_t>(header[1] + header[2]) * sizeof(float)) {
    setError(error, "corrupt YoloDecode data");
    return KILN_STATUS_ERROR;
  }
  auto* decode = new YoloDecode();
  const auto* floats = reinterpret_cast<const float*>(static_cast<const char*>(data) + sizeof(header));
  decode->classes = header[0];
  decode->strides.assign(floats, floats + header[1]);
  decode->anchors.assign(floats + header[1], floats + header[1] + header[2]);
  return finish(decode, plugin, api, error);
}

const kiln_field_spec kFields[] = {{"anchors", KILN_FIELD_FLOAT32, -1}, {"strides", KILN_FIELD_FLOAT32, -1}, {"num_classes", KILN_FIELD_INT64, 1}};
const kiln_plugin_creator kCreator = {KILN_HEADER(kiln_plugin_creator), "YoloDecode", "1", "kiln.examples", kFields, 3, create, deserialize};
const kiln_plugin_creator* const kCreators[] = {&kCreator};
const kiln_plugin_library kLibrary = {KILN_HEADER(kiln_plugin_library), 1, kCreators};

}  // namespace

extern "C" KILN_PLUGIN_EXPORT const kiln_plugin_library* kiln_get_plugin_library(void) { return &kLibrary; }
