#pragma once
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kiln_plugin.h"

namespace kiln {

struct PluginCreatorInfo {
  std::string name, version, pluginNamespace, library;
  std::vector<kiln_field_spec> fields;
  std::vector<std::string> fieldNames;  // owns the names `fields` points at
  const kiln_plugin_creator* creator = nullptr;
};

// Libraries of custom layers, loaded with dlopen and kept loaded while anything that uses them
// (this registry, an engine built with it) is alive. Thread-safe.
class PluginRegistry {
 public:
  PluginRegistry() = default;
  ~PluginRegistry();
  PluginRegistry(const PluginRegistry&) = delete;
  PluginRegistry& operator=(const PluginRegistry&) = delete;

  // Loads a library and registers its creators; returns them. Throws kiln::Error KILN_PLUGIN_LOAD
  // for a missing file, a library without the entry point, an ABI mismatch or a duplicate
  // name + version + namespace.
  std::vector<PluginCreatorInfo> load(const std::string& path);
  std::vector<PluginCreatorInfo> list() const;
  // The creator of that name and namespace; the highest version when version is empty.
  const PluginCreatorInfo* find(const std::string& name, const std::string& version, const std::string& ns) const;

 private:
  mutable std::mutex mutex_;
  std::vector<void*> handles_;
  std::vector<std::unique_ptr<PluginCreatorInfo>> creators_;
};

}  // namespace kiln
