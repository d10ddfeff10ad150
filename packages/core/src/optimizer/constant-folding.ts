import type { NetworkDefinition } from '../network/network.js';
import { analyze } from './analysis/analyze.js';
import { valueElements } from './analysis/value.js';
import type { Layer } from '../network/layer.js';
import type { Dim } from '../network/network.js';
import type { ValueInfo } from './analysis/shape-rules.js';
import type { PassContext } from './pass-context.js';

/**
 * Replaces every layer whose outputs are all computable at build time with constants, including
 * Shape → Gather → Concat chains over static shapes. Where such a chain carries a symbolic
 * dimension into a Reshape or Resize, the target is rewritten so it no longer needs the chain:
 * Reshape gets 0 (copy) for a dimension equal to the input's and -1 for one more unknown; Resize
 * gets per-axis scales. Returns how many layers were folded away. Dead chains are left for
 * dead-layer elimination.
 */
export function foldConstants(network: NetworkDefinition, context: PassContext = {}): number {
  const { infos, values } = analyze(network, context.plugins);
  const kept: Layer[] = [];
  let folded = 0;
  for (const layer of network.layers) {
    const outputs = layer.outputs.filter((name) => name !== '');
    const all = outputs.every((name) => values.get(name)?.kind === 'tensor');
    if (all && outputs.length && !network.outputs.some((o) => outputs.includes(o) && network.isInput(o))) {
      for (const name of outputs) {
        const value = values.get(name)!;
        if (value.kind === 'tensor') network.constants.set(name, value.tensor);
      }
      folded++;
      continue;
    }
    kept.push(rewriteSymbolicInputs(network, layer, infos, values) ?? layer);
  }
  network.layers = kept;
  return folded;
}

function rewriteSymbolicInputs(network: NetworkDefinition, layer: Layer, infos: Map<string, ValueInfo>, values: ReturnType<typeof analyze>['values']): Layer | undefined {
  if (layer.type === 'Reshape') {
    const target = values.get(layer.inputs[1]);
    const input = infos.get(layer.inputs[0]);
    if (target?.kind !== 'symbolic' || !input) return undefined;
    const dims = staticReshapeTarget(input.shape, target.values);
    if (!dims) return undefined;
    const name = uniqueName(network, `${layer.name}__shape`);
    network.constants.set(name, { dtype: 'int64', shape: [dims.length], data: BigInt64Array.from(dims.map(BigInt)) });
    return { ...layer, inputs: [layer.inputs[0], name], attributes: { ...layer.attributes, allowzero: 0 } };
  }
  if (layer.type === 'Resize') {
    const sizes = layer.inputs[3] ? values.get(layer.inputs[3]) : undefined;
    const input = infos.get(layer.inputs[0]);
    if (sizes?.kind !== 'symbolic' || !input) return undefined;
    const scales: number[] = [];
    const elems = valueElements(sizes);
    for (let i = 0; i < elems.length; i++) {
      const [out, inp] = [elems[i], input.shape[i]];
      if (out === inp) scales.push(1);
      else if (typeof out === 'number' && typeof inp === 'number' && inp > 0) scales.push(out / inp);
      else return undefined;
    }
    const name = uniqueName(network, `${layer.name}__scales`);
    network.constants.set(name, { dtype: 'float32', shape: [scales.length], data: Float32Array.from(scales) });
    return { ...layer, inputs: [layer.inputs[0], layer.inputs[1] ?? '', name, ''] };
  }
  return undefined;
}

/** A Reshape target over symbolic dims as 0 (copy the input's) and at most one -1, or undefined. */
export function staticReshapeTarget(input: Dim[], target: Dim[]): number[] | undefined {
  let unknown = target.filter((d) => d === -1).length;
  const out: number[] = [];
  for (let i = 0; i < target.length; i++) {
    const d = target[i];
    if (typeof d === 'number') out.push(d);
    else if (input[i] === d) out.push(0);
    else {
      out.push(-1);
      unknown++;
    }
  }
  return unknown <= 1 ? out : undefined;
}

function uniqueName(network: NetworkDefinition, base: string): string {
  let name = base;
  for (let i = 1; network.isDefined(name); i++) name = `${base}_${i}`;
  return name;
}
