/*
 * kiln_plugin.h — the C ABI of Kiln custom layers (plugins).
 *
 * A plugin library is a shared object exporting one function, kiln_get_plugin_library(), that
 * returns a table of creators. A creator has a name, a version and a namespace, lists the fields it
 * accepts, and creates plugin instances from fields (at build time) or from the bytes an instance
 * serialized (when an engine is loaded). An instance tells its output shapes and element types,
 * the types it supports, its workspace, serializes itself, and computes.
 *
 * Rules of the boundary: only plain C structs, function pointers and status codes cross it — no
 * C++ types, exceptions or allocations owned by the other side. Every table starts with a
 * kiln_header {struct_size, abi_major, abi_minor}: Kiln refuses a library whose abi_major differs
 * from its own and reads only the fields that the library's struct_size covers, so fields can be
 * appended in later minor versions without breaking built plugins. Errors are returned as
 * KILN_STATUS_ERROR with a message written into the kiln_error the caller passes.
 *
 * A plugin runs inside the Node.js process: a crash in it crashes the process.
 */
#ifndef KILN_PLUGIN_H
#define KILN_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KILN_PLUGIN_ABI_MAJOR 1
#define KILN_PLUGIN_ABI_MINOR 0
#define KILN_MAX_RANK 8
#define KILN_ERROR_MESSAGE_SIZE 512

#if defined(_WIN32)
#define KILN_PLUGIN_EXPORT __declspec(dllexport)
#else
#define KILN_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

typedef enum { KILN_STATUS_OK = 0, KILN_STATUS_ERROR = 1 } kiln_status;

typedef enum {
  KILN_DTYPE_FLOAT32 = 0,
  KILN_DTYPE_FLOAT16 = 1,
  KILN_DTYPE_INT8 = 2,
  KILN_DTYPE_UINT8 = 3,
  KILN_DTYPE_INT32 = 4,
  KILN_DTYPE_INT64 = 5,
  KILN_DTYPE_BOOL = 6
} kiln_dtype;

typedef enum { KILN_FIELD_INT64 = 0, KILN_FIELD_FLOAT32 = 1, KILN_FIELD_STRING = 2 } kiln_field_type;

typedef struct {
  uint32_t struct_size;
  uint16_t abi_major;
  uint16_t abi_minor;
} kiln_header;

#define KILN_HEADER(type) {(uint32_t)sizeof(type), KILN_PLUGIN_ABI_MAJOR, KILN_PLUGIN_ABI_MINOR}

/* Where a plugin reports what went wrong (NUL-terminated, truncated to fit). */
typedef struct {
  char message[KILN_ERROR_MESSAGE_SIZE];
} kiln_error;

/* A field a creator accepts: length -1 means any number of values. */
typedef struct {
  const char* name;
  kiln_field_type type;
  int64_t length;
} kiln_field_spec;

/* A field's value: `length` int64s, floats, or chars (not NUL-terminated) at `data`. */
typedef struct {
  const char* name;
  kiln_field_type type;
  int64_t length;
  const void* data;
} kiln_field;

typedef struct {
  const kiln_field* fields;
  int32_t count;
} kiln_fields;

/* A shape; a dimension of -1 is dynamic (unknown until execution). */
typedef struct {
  int32_t rank;
  int64_t dims[KILN_MAX_RANK];
} kiln_dims;

typedef struct {
  const void* data;
  kiln_dtype dtype;
  kiln_dims dims;
} kiln_input;

typedef struct {
  void* data;
  kiln_dtype dtype;
  kiln_dims dims;
} kiln_output;

/* Kiln's thread pool, for plugins that want to split their work: fn(user, task) runs for every
 * task in [0, tasks) across the pool's threads; parallel_for returns when all are done. */
typedef struct kiln_thread_pool kiln_thread_pool;
typedef void (*kiln_task_fn)(void* user, int64_t task);
typedef struct {
  kiln_header header;
  kiln_thread_pool* pool;
  int32_t (*size)(kiln_thread_pool* pool);
  void (*parallel_for)(kiln_thread_pool* pool, int64_t tasks, kiln_task_fn fn, void* user);
} kiln_threads;

typedef struct kiln_plugin kiln_plugin; /* defined by the plugin */

/* What an instance can do. Positions count inputs first, then outputs. */
typedef struct {
  kiln_header header;
  int32_t (*num_outputs)(const kiln_plugin* self);
  kiln_status (*output_dims)(const kiln_plugin* self, const kiln_dims* inputs, int32_t num_inputs, kiln_dims* outputs,
                             kiln_error* error);
  kiln_status (*output_dtypes)(const kiln_plugin* self, const kiln_dtype* inputs, int32_t num_inputs, kiln_dtype* outputs,
                               kiln_error* error);
  int32_t (*supports)(const kiln_plugin* self, int32_t position, kiln_dtype dtype);
  size_t (*workspace_size)(const kiln_plugin* self, const kiln_dims* inputs, int32_t num_inputs);
  /* With buffer NULL, writes the size needed to *size; else writes at most *size bytes. */
  kiln_status (*serialize)(const kiln_plugin* self, void* buffer, size_t* size, kiln_error* error);
  /* Computes the outputs. Contexts of one engine run at the same time, so enqueue may be called
   * from several threads at once on one instance: it must leave the instance as it is (hence
   * const) and keep per-call scratch in `workspace`, which belongs to the calling context. */
  kiln_status (*enqueue)(const kiln_plugin* self, const kiln_input* inputs, int32_t num_inputs, kiln_output* outputs,
                         int32_t num_outputs, void* workspace, const kiln_threads* threads, kiln_error* error);
  void (*destroy)(kiln_plugin* self);
} kiln_plugin_api;

typedef struct {
  kiln_header header;
  const char* name;
  const char* version;
  const char* plugin_namespace;
  const kiln_field_spec* fields;
  int32_t num_fields;
  kiln_status (*create)(const kiln_fields* fields, kiln_plugin** plugin, const kiln_plugin_api** api, kiln_error* error);
  kiln_status (*deserialize)(const void* data, size_t size, kiln_plugin** plugin, const kiln_plugin_api** api,
                             kiln_error* error);
} kiln_plugin_creator;

typedef struct {
  kiln_header header;
  int32_t num_creators;
  const kiln_plugin_creator* const* creators;
} kiln_plugin_library;

typedef const kiln_plugin_library* (*kiln_get_plugin_library_fn)(void);
#define KILN_PLUGIN_ENTRY_POINT "kiln_get_plugin_library"

#ifdef __cplusplus
}
#endif

#endif /* KILN_PLUGIN_H */
