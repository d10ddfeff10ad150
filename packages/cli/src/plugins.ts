import path from 'node:path';
import { PluginRegistry } from '@kiln/core';

let registry: PluginRegistry | undefined;

/** Loads the plugin libraries named by --plugins, for every parse, build and load of this run. */
export function loadPlugins(libraries: string[] | undefined): void {
  if (!libraries?.length) return;
  registry = new PluginRegistry();
  for (const library of libraries) registry.load(path.resolve(library));
}

/** The registry of this run, when --plugins named any library. */
export function plugins(): PluginRegistry | undefined {
  return registry;
}
