import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/** The folder holding kiln_plugin.h (it ships with @kiln/core, whose engine is built against it). */
export function pluginIncludeDir(): string {
  return path.join(path.dirname(require.resolve('@kiln/core/package.json')), 'native', 'include');
}

/** KilnPlugin.cmake, which defines kiln_add_plugin(<target> <sources>...). */
export function pluginCmakeHelper(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'cmake', 'KilnPlugin.cmake');
}

/** The example plugins' sources (scaled_swish.cpp, yolo_decode.cpp). */
export function pluginExamplesDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'examples');
}
