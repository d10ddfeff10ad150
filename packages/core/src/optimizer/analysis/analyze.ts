import { BuildError } from '../../errors.js';
import { attributeNumber, type Layer } from '../../network/layer.js';
import type { NetworkDefinition } from '../../network/network.js';
import { evaluateLayer } from './evaluate.js';
import { SHAPE_RULES, ShapeRuleError, type ValueInfo } from './shape-rules.js';
import { normalizeBoundary } from './shape-utils.js';
import { isPluginLayer } from '../../plugins/plugin-layer.js';
import type { PluginRegistry } from '../../plugins/plugin-registry.js';
import { tensorValue, type KnownValue } from './value.js';

export interface Analysis {
  /** dtype and (possibly symbolic) shape of every tensor. */
  infos: Map<string, ValueInfo>;
  /** Values known at build time: constants and everything computable from them and from shapes. */
  values: Map<string, KnownValue>;
}

function shapeValue(layer: Layer, info: ValueInfo): KnownValue {
  const rank = info.shape.length;
  const start = normalizeBoundary(attributeNumber(layer, 'start', 0), rank);
  let end = layer.attributes.end === undefined ? rank : attributeNumber(layer, 'end');
  if (end < 0) end += rank;
  const dims = info.shape.slice(start, Math.min(Math.max(end, 0), rank));
  if (dims.every((d) => typeof d === 'number')) {
    return tensorValue({ dtype: 'int64', shape: [dims.length], data: BigInt64Array.from(dims.map((d) => BigInt(d))) });
  }
  return { kind: 'symbolic', dtype: 'int64', shape: [dims.length], values: dims };
}

/**
 * Shape inference with constant propagation, in topological order. Plugin layers ask their
 * plugin (through the registry) and are never evaluated at build time. Throws BuildError.
 */
export function analyze(network: NetworkDefinition, plugins?: PluginRegistry): Analysis {
  const infos = new Map<string, ValueInfo>();
  const values = new Map<string, KnownValue>();
  for (const input of network.inputs) infos.set(input.name, { dtype: input.dtype, shape: [...input.shape] });
  for (const [name, tensor] of network.constants) {
    infos.set(name, { dtype: tensor.dtype, shape: [...tensor.shape] });
    values.set(name, tensorValue(tensor));
  }
  for (const layer of network.layers) {
    const inputInfos = layer.inputs.map((name) => {
      if (name === '') return undefined;
      const info = infos.get(name);
      if (!info) throw new BuildError(`input '${name}' is not defined before this layer`, layer.name);
      return info;
    });
    const inputValues = layer.inputs.map((name) => (name === '' ? undefined : values.get(name)));
    if (isPluginLayer(layer, plugins)) {
      const outputs = plugins!.outputInfo(layer, inputInfos.filter((i): i is ValueInfo => !!i));
      layer.outputs.forEach((name, i) => {
        if (name !== '' && outputs[i]) infos.set(name, outputs[i]);
      });
      continue;
    }
    const rule = SHAPE_RULES[layer.type];
    if (!rule) throw new BuildError(`no shape inference for layer type '${layer.type}'`, layer.name, 'KILN_UNSUPPORTED');
    let outputs: ValueInfo[];
    try {
      outputs = rule(layer, { infos: inputInfos, values: inputValues });
    } catch (error) {
      if (error instanceof ShapeRuleError || error instanceof TypeError) throw new BuildError(error.message, layer.name);
      throw error;
    }
    layer.outputs.forEach((name, i) => {
      if (name !== '' && outputs[i]) infos.set(name, outputs[i]);
    });

    let known: KnownValue[] | undefined;
    if (layer.type === 'Shape') known = [shapeValue(layer, inputInfos[0]!)];
    else if (layer.type === 'Size' && inputInfos[0]!.shape.every((d) => typeof d === 'number')) {
      const count = (inputInfos[0]!.shape as number[]).reduce((a, b) => a * b, 1);
      known = [tensorValue({ dtype: 'int64', shape: [], data: BigInt64Array.of(BigInt(count)) })];
    }
    else if (layer.type === 'CastLike' && inputValues[0]) {
      // Only the second input's type matters, so its value need not be known.
      known = evaluateLayer({ ...layer, type: 'Cast', inputs: [layer.inputs[0]], attributes: { to: inputInfos[1]!.dtype } }, [inputValues[0]]);
    }
    else if (layer.inputs.every((name, i) => name === '' || inputValues[i])) known = evaluateLayer(layer, inputValues);
    known?.forEach((value, i) => {
      if (layer.outputs[i]) values.set(layer.outputs[i], value);
    });
  }
  return { infos, values };
}
