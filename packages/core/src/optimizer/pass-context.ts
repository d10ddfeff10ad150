import type { PluginRegistry } from '../plugins/plugin-registry.js';

/** What graph passes may need beyond the network: the plugins its custom layers come from. */
export interface PassContext {
  plugins?: PluginRegistry;
}
