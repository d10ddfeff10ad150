#include "plugins/plugin_registry.h"

#include <dlfcn.h>
#include <sys/stat.h>

#include <cstring>

#include "engine/error.h"

namespace kiln {
namespace {

[[noreturn]] void loadError(const std::string& path, const std::string& what) {
  throw Error("KILN_PLUGIN_LOAD", "cannot load plugin library '" + path + "': " + what);
}

void checkHeader(const kiln_header& header, size_t minimumSize, const std::string& path, const std::string& what) {
  if (header.abi_major != KILN_PLUGIN_ABI_MAJOR)
    loadError(path, what + " was built for plugin ABI " + std::to_string(header.abi_major) + "." + std::to_string(header.abi_minor) +
                        "; this Kiln speaks ABI " + std::to_string(KILN_PLUGIN_ABI_MAJOR) + "." + std::to_string(KILN_PLUGIN_ABI_MINOR));
  if (header.struct_size < minimumSize) loadError(path, what + " is smaller than ABI " + std::to_string(KILN_PLUGIN_ABI_MAJOR) + " requires");
}

std::string text(const char* s) { return s ? std::string(s) : std::string(); }

}  // namespace

PluginRegistry::~PluginRegistry() {
  creators_.clear();
  for (void* handle : handles_) dlclose(handle);
}

std::vector<PluginCreatorInfo> PluginRegistry::load(const std::string& path) {
  struct stat info;
  if (stat(path.c_str(), &info) != 0) loadError(path, "no such file");
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) loadError(path, text(dlerror()));
  auto entry = reinterpret_cast<kiln_get_plugin_library_fn>(dlsym(handle, KILN_PLUGIN_ENTRY_POINT));
  std::vector<std::unique_ptr<PluginCreatorInfo>> found;
  try {
    if (!entry) loadError(path, std::string("it does not export ") + KILN_PLUGIN_ENTRY_POINT + "()");
    const kiln_plugin_library* library = entry();
    if (!library) loadError(path, std::string(KILN_PLUGIN_ENTRY_POINT) + "() returned NULL");
    checkHeader(library->header, offsetof(kiln_plugin_library, creators) + sizeof(library->creators), path, "the library table");
    if (library->num_creators < 0 || (library->num_creators > 0 && !library->creators)) loadError(path, "its creator list is malformed");
    for (int32_t i = 0; i < library->num_creators; ++i) {
      const kiln_plugin_creator* creator = library->creators[i];
      if (!creator) loadError(path, "creator " + std::to_string(i) + " is NULL");
      checkHeader(creator->header, offsetof(kiln_plugin_creator, deserialize) + sizeof(creator->deserialize), path,
                  "creator '" + text(creator->name) + "'");
      if (!creator->name || !creator->version || !creator->create || !creator->deserialize)
        loadError(path, "creator " + std::to_string(i) + " lacks a name, version, create or deserialize");
      auto item = std::make_unique<PluginCreatorInfo>();
      item->name = creator->name;
      item->version = creator->version;
      item->pluginNamespace = text(creator->plugin_namespace);
      item->library = path;
      item->creator = creator;
      for (int32_t f = 0; f < creator->num_fields; ++f) {
        item->fieldNames.push_back(text(creator->fields[f].name));
        item->fields.push_back(creator->fields[f]);
      }
      for (size_t f = 0; f < item->fields.size(); ++f) item->fields[f].name = item->fieldNames[f].c_str();
      found.push_back(std::move(item));
    }
  } catch (...) {
    dlclose(handle);
    throw;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  for (size_t i = 0; i < found.size(); ++i) {
    const auto& a = *found[i];
    auto same = [&](const PluginCreatorInfo& b) { return a.name == b.name && a.version == b.version && a.pluginNamespace == b.pluginNamespace; };
    for (const auto& existing : creators_)
      if (same(*existing)) {
        dlclose(handle);
        loadError(path, "plugin '" + a.name + "' version '" + a.version + "' in namespace '" + a.pluginNamespace +
                            "' is already registered (from '" + existing->library + "')");
      }
    for (size_t j = 0; j < i; ++j)
      if (same(*found[j])) {
        dlclose(handle);
        loadError(path, "it lists plugin '" + a.name + "' version '" + a.version + "' twice");
      }
  }
  std::vector<PluginCreatorInfo> out;
  for (auto& item : found) {
    out.push_back(*item);
    creators_.push_back(std::move(item));
  }
  handles_.push_back(handle);
  return out;
}

std::vector<PluginCreatorInfo> PluginRegistry::list() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<PluginCreatorInfo> out;
  for (const auto& item : creators_) out.push_back(*item);
  return out;
}

const PluginCreatorInfo* PluginRegistry::find(const std::string& name, const std::string& version, const std::string& ns) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const PluginCreatorInfo* best = nullptr;
  for (const auto& item : creators_) {
    if (item->name != name || item->pluginNamespace != ns) continue;
    if (!version.empty()) {
      if (item->version == version) return item.get();
      continue;
    }
    if (!best || best->version < item->version) best = item.get();
  }
  return best;
}

}  // namespace kiln
