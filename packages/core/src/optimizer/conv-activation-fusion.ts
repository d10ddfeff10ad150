import { attributeNumber, type Layer } from '../network/layer.js';
import type { NetworkDefinition } from '../network/network.js';
import { consumersOf, onlyReadBy } from './graph-utils.js';

export interface FusedActivation {
  activation: string;
  alpha?: number;
  beta?: number;
}

function scalarConstant(network: NetworkDefinition, name: string | undefined): number | undefined {
  if (!name) return undefined;
  const tensor = network.constants.get(name);
  return tensor && tensor.data.length === 1 ? Number(tensor.data[0]) : undefined;
}

/** The activation a single-input layer applies, if the Conv epilogue can apply it. */
export function activationOf(network: NetworkDefinition, layer: Layer): FusedActivation | undefined {
  switch (layer.type) {
    case 'Relu':
      return { activation: 'relu' };
    case 'Sigmoid':
      return { activation: 'sigmoid' };
    case 'HardSwish':
      return { activation: 'hard_swish' };
    case 'LeakyRelu':
      return { activation: 'leaky_relu', alpha: attributeNumber(layer, 'alpha', 0.01) };
    case 'HardSigmoid':
      return { activation: 'hard_sigmoid', alpha: attributeNumber(layer, 'alpha', 0.2), beta: attributeNumber(layer, 'beta', 0.5) };
    case 'Clip': {
      const min = layer.inputs[1] ? scalarConstant(network, layer.inputs[1]) : -Infinity;
      const max = layer.inputs[2] ? scalarConstant(network, layer.inputs[2]) : Infinity;
      if (min === undefined || max === undefined) return undefined;
      if (min === 0 && max === Infinity) return { activation: 'relu' };
      return { activation: 'clip', alpha: Math.max(min, -3.4e38), beta: Math.min(max, 3.4e38) };
    }
    default:
      return undefined;
  }
}

/**
 * Fuses the activation after a Conv into the Conv (bias is always fused: it is the Conv's own
 * input): Relu, Sigmoid, LeakyRelu, Clip, HardSwish, HardSigmoid, and SiLU written as
 * Mul(x, Sigmoid(x)) — the form YOLOv5 exports, where the Conv output has two readers.
 * Sets the Conv attributes `activation`, `activation_alpha`, `activation_beta`.
 */
export function fuseConvActivations(network: NetworkDefinition): number {
  let fused = 0;
  const consumers = consumersOf(network);
  const removed = new Set<Layer>();
  for (const conv of network.layers) {
    if (conv.type !== 'Conv' || conv.attributes.activation || removed.has(conv)) continue;
    const out = conv.outputs[0];
    if (network.outputs.includes(out)) continue;
    const readers = consumers.get(out) ?? [];
    let result: { activation: FusedActivation; output: string; layers: Layer[] } | undefined;
    if (readers.length === 1 && readers[0].inputs.filter((n) => n === out).length === 1 && readers[0].inputs[0] === out) {
      const activation = activationOf(network, readers[0]);
      if (activation) result = { activation, output: readers[0].outputs[0], layers: [readers[0]] };
    } else if (readers.length === 2) {
      const sigmoid = readers.find((l) => l.type === 'Sigmoid');
      const mul = readers.find((l) => l.type === 'Mul');
      if (sigmoid && mul && onlyReadBy(network, consumers, sigmoid.outputs[0], mul)) {
        const operands = [...mul.inputs].sort();
        if (operands.length === 2 && operands.includes(out) && operands.includes(sigmoid.outputs[0])) {
          result = { activation: { activation: 'silu' }, output: mul.outputs[0], layers: [sigmoid, mul] };
        }
      }
    }
    if (!result) continue;
    conv.attributes.activation = result.activation.activation;
    if (result.activation.alpha !== undefined) conv.attributes.activation_alpha = result.activation.alpha;
    if (result.activation.beta !== undefined) conv.attributes.activation_beta = result.activation.beta;
    conv.outputs = [result.output];
    for (const layer of result.layers) removed.add(layer);
    fused++;
  }
  network.layers = network.layers.filter((layer) => !removed.has(layer));
  return fused;
}
