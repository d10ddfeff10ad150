import { PluginError } from '../errors.js';
import type { Layer } from '../network/layer.js';
import type { Dim } from '../network/network.js';
import { native, type NativePluginRegistry } from '../native.js';
import { fromNativeError } from '../native-errors.js';
import type { DType } from '../tensor.js';
import { pluginLayerAttrs } from './plugin-layer.js';

export interface PluginFieldSpec {
  name: string;
  type: 'int64' | 'float32' | 'string';
  /** Number of values; -1 for any. */
  length: number;
}

export interface PluginCreatorInfo {
  name: string;
  version: string;
  namespace: string;
  /** The library it was loaded from. */
  library: string;
  fields: PluginFieldSpec[];
}

/**
 * The custom layers Kiln knows: plugin libraries (`.so` files exporting the C ABI of
 * `kiln_plugin.h`) loaded with dlopen. Hand one registry to the parser (so ONNX nodes of a
 * plugin's op type become plugin layers), the builder and the runtime (so engines that contain
 * plugin layers can be built and loaded). A plugin runs inside this process: a crash in it is a
 * crash of the process.
 */
export class PluginRegistry {
  /** @internal */
  readonly native: NativePluginRegistry = new native.NativePluginRegistry();

  /** Loads a plugin library and returns the creators it registered. Throws PluginError. */
  load(path: string): PluginCreatorInfo[] {
    if (typeof path !== 'string' || !path) throw new PluginError('KILN_PLUGIN_LOAD', 'PluginRegistry.load expects the path of a plugin library');
    try {
      return this.native.load(path);
    } catch (error) {
      throw fromNativeError(error);
    }
  }

  list(): PluginCreatorInfo[] {
    return this.native.list();
  }

  /** Whether a creator of this name (and version and namespace, when given) is registered. */
  has(name: string, version?: string, namespace = ''): boolean {
    return this.list().some((c) => c.name === name && c.namespace === namespace && (version === undefined || c.version === version));
  }

  /** Whether an ONNX node of this op type and domain maps to a registered creator. */
  hasCreator(opType: string, domain: string): boolean {
    return this.has(opType, undefined, domain);
  }

  /** @internal The output dtypes and shapes a plugin layer reports, unknown dims as fresh symbols. */
  outputInfo(layer: Layer, inputs: { dtype: DType; shape: Dim[] }[]): { dtype: DType; shape: Dim[] }[] {
    const shapes = inputs.map((i) => i.shape.map((d) => (typeof d === 'number' ? d : -1)));
    let result: { shapes: number[][]; dtypes: DType[] };
    try {
      result = this.native.outputInfo(
        { name: layer.name, type: 'Plugin', inputs: [...layer.inputs], outputs: [...layer.outputs], attrs: pluginLayerAttrs(layer, this) },
        shapes,
        inputs.map((i) => i.dtype),
      );
    } catch (error) {
      throw fromNativeError(error);
    }
    return result.shapes.map((shape, o) => ({
      dtype: result.dtypes[o],
      shape: shape.map((d, i) => (d >= 0 ? d : symbolFor(layer, o, i, inputs))),
    }));
  }

  /** @internal The version a layer without one gets: the highest registered. */
  resolveVersion(layer: Layer): string {
    const wanted = typeof layer.attributes.plugin_version === 'string' ? layer.attributes.plugin_version : undefined;
    const versions = this.list()
      .filter((c) => c.name === layer.type && c.namespace === (layer.domain ?? ''))
      .map((c) => c.version)
      .sort();
    if (wanted !== undefined) return wanted;
    return versions.at(-1) ?? '';
  }
}

/** A dynamic output dimension: the input's symbol at the same position when there is one. */
function symbolFor(layer: Layer, output: number, axis: number, inputs: { shape: Dim[] }[]): Dim {
  const same = inputs[0]?.shape[axis];
  return typeof same === 'string' ? same : `${layer.name}_out${output}_d${axis}`;
}
