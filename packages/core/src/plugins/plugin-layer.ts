import { BuildError } from '../errors.js';
import type { Layer } from '../network/layer.js';
import type { NativeAttr } from '../native.js';
import type { PluginRegistry } from './plugin-registry.js';

/** Whether a layer is computed by a plugin: a layer of a registered creator's type and domain. */
export function isPluginLayer(layer: Layer, plugins: PluginRegistry | undefined): boolean {
  return !!plugins && plugins.hasCreator(layer.type, layer.domain ?? '');
}

/**
 * The native Plugin layer's attributes: which creator, and the layer's ONNX attributes as fields
 * (the native side converts numbers to the field types the creator declares).
 */
export function pluginLayerAttrs(layer: Layer, plugins: PluginRegistry): Record<string, NativeAttr> {
  const attrs: Record<string, NativeAttr> = {
    plugin_name: { str: layer.type },
    plugin_namespace: { str: layer.domain ?? '' },
    plugin_version: { str: plugins.resolveVersion(layer) },
  };
  for (const [name, value] of Object.entries(layer.attributes)) {
    if (name === 'plugin_version') continue;
    const key = `field.${name}`;
    if (typeof value === 'string') attrs[key] = { str: value };
    else if (typeof value === 'number') attrs[key] = Number.isInteger(value) ? { ints: [value] } : { floats: [value] };
    else if (Array.isArray(value) && value.every((v) => typeof v === 'number')) {
      const numbers = value as number[];
      attrs[key] = numbers.every(Number.isInteger) ? { ints: numbers } : { floats: numbers };
    } else {
      throw new BuildError(`attribute '${name}' cannot be passed to a plugin (only numbers, number lists and strings can)`, layer.name, 'KILN_UNSUPPORTED');
    }
  }
  return attrs;
}
