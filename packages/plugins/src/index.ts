export { PluginRegistry, PluginError } from '@kiln/core';
export type { PluginCreatorInfo, PluginFieldSpec } from '@kiln/core';
export { buildPlugin } from './build-plugin.js';
export type { BuildPluginOptions } from './build-plugin.js';
export { pluginCmakeHelper, pluginExamplesDir, pluginIncludeDir } from './paths.js';
