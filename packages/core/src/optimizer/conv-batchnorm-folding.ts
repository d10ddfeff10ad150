import { attributeNumber } from '../network/layer.js';
import type { NetworkDefinition } from '../network/network.js';
import { consumersOf, onlyReadBy } from './graph-utils.js';

/**
 * Folds BatchNormalization into the Conv before it when the Conv's output feeds only the
 * BatchNormalization and all their parameters are constant:
 * W' = W·γ/√(σ²+ε) per output channel, b' = (b − μ)·γ/√(σ²+ε) + β.
 */
export function foldConvBatchNorm(network: NetworkDefinition): number {
  let folded = 0;
  const consumers = consumersOf(network);
  const removed = new Set<object>();
  for (const conv of network.layers) {
    if (conv.type !== 'Conv' || conv.attributes.activation) continue;
    const out = conv.outputs[0];
    const bn = consumers.get(out)?.[0];
    if (!bn || bn.type !== 'BatchNormalization' || !onlyReadBy(network, consumers, out, bn) || bn.inputs[0] !== out) continue;
    const weight = network.constants.get(conv.inputs[1]);
    const [scale, shift, mean, variance] = bn.inputs.slice(1, 5).map((name) => network.constants.get(name));
    const bias = conv.inputs[2] ? network.constants.get(conv.inputs[2]) : undefined;
    if (!weight || !scale || !shift || !mean || !variance || (conv.inputs[2] && !bias)) continue;
    if ([weight, scale, shift, mean, variance, bias].some((t) => t && t.dtype !== 'float32')) continue;
    const channels = weight.shape[0];
    if ([scale, shift, mean, variance].some((t) => t.data.length !== channels)) continue;
    const epsilon = attributeNumber(bn, 'epsilon', 1e-5);
    const perChannel = weight.data.length / channels;
    const w = new Float32Array(weight.data as Float32Array);
    const b = new Float32Array(channels);
    for (let c = 0; c < channels; c++) {
      const factor = Number(scale.data[c]) / Math.sqrt(Number(variance.data[c]) + epsilon);
      for (let k = 0; k < perChannel; k++) w[c * perChannel + k] *= factor;
      b[c] = ((bias ? Number(bias.data[c]) : 0) - Number(mean.data[c])) * factor + Number(shift.data[c]);
    }
    const wName = `${conv.name}__folded_weight`;
    const bName = `${conv.name}__folded_bias`;
    network.constants.set(wName, { dtype: 'float32', shape: [...weight.shape], data: w });
    network.constants.set(bName, { dtype: 'float32', shape: [channels], data: b });
    conv.inputs = [conv.inputs[0], wName, bName];
    conv.outputs = [bn.outputs[0]];
    removed.add(bn);
    folded++;
  }
  network.layers = network.layers.filter((layer) => !removed.has(layer));
  return folded;
}
