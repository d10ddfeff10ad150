import { attributeString, type Layer } from '../network/layer.js';
import type { NetworkDefinition } from '../network/network.js';
import { consumersOf } from '../optimizer/graph-utils.js';
import { toNumbers } from '../tensor.js';
import { QUANTIZED_RANGES } from './linear-quantization.js';

/**
 * Explicit quantization (a Q/DQ model): each per-tensor QuantizeLinear → DequantizeLinear pair on
 * an activation states that tensor's INT8 range. The pairs are removed (readers of the
 * DequantizeLinear read the QuantizeLinear's input again) and the ranges returned as scales in the
 * form calibration gives (the larger end of the range / 127), so an INT8 build takes them instead
 * of calibrating. Returns undefined when the network has no such pair. DequantizeLinear of
 * quantized weights (constants) is left for constant folding.
 */
export function extractExplicitScales(source: NetworkDefinition): { network: NetworkDefinition; scales: Map<string, number> } | undefined {
  const network = source.clone();
  const consumers = consumersOf(network);
  const outputs = new Set(network.outputs);
  const scales = new Map<string, number>();
  const removed = new Set<Layer>();
  const renames = new Map<string, string>();
  for (const q of network.layers) {
    if (q.type !== 'QuantizeLinear' || network.constants.has(q.inputs[0]!)) continue;
    const range = perTensorRange(network, q);
    const readers = consumers.get(q.outputs[0]!) ?? [];
    if (!range || outputs.has(q.outputs[0]!) || !readers.length || !readers.every((r) => r.type === 'DequantizeLinear' && sameParams(network, q, r))) continue;
    const x = q.inputs[0]!;
    scales.set(x, Math.max(Math.abs(range[0]), Math.abs(range[1])) / 127);
    removed.add(q);
    for (const dq of readers) {
      removed.add(dq);
      renames.set(dq.outputs[0]!, x);
    }
  }
  if (!removed.size) return undefined;
  network.layers = network.layers.filter((l) => !removed.has(l)).map((l) => ({ ...l, inputs: l.inputs.map((n) => renames.get(n) ?? n) }));
  // A graph output that was a DequantizeLinear's result keeps its name: copy it back out.
  for (const [dqOutput, x] of renames) {
    if (outputs.has(dqOutput)) network.layers.push({ name: `${dqOutput}__identity`, type: 'Identity', inputs: [x], outputs: [dqOutput], attributes: {} });
  }
  return { network, scales };
}

/** [lowest, highest] real value a per-tensor QuantizeLinear with constant parameters can produce. */
function perTensorRange(network: NetworkDefinition, q: Layer): [number, number] | undefined {
  const scale = network.constants.get(q.inputs[1]!);
  const zero = q.inputs[2] ? network.constants.get(q.inputs[2]) : undefined;
  if (!scale || (q.inputs[2] && !zero)) return undefined;
  const [s] = toNumbers(scale);
  const zp = zero ? toNumbers(zero) : [0];
  const bounds = QUANTIZED_RANGES[attributeString(q, 'dtype', 'uint8')];
  if (toNumbers(scale).length !== 1 || zp.length !== 1 || !bounds || !(s! > 0)) return undefined;
  return [s! * (bounds[0] - zp[0]!), s! * (bounds[1] - zp[0]!)];
}

function sameParams(network: NetworkDefinition, q: Layer, dq: Layer): boolean {
  // An omitted zero point is 0; one computed at run time matches nothing.
  const values = (name: string | undefined) => {
    if (!name) return '0';
    const tensor = network.constants.get(name);
    return tensor ? toNumbers(tensor).join(',') : undefined;
  };
  const same = (a: string | undefined, b: string | undefined) => a !== undefined && a === b;
  return same(values(q.inputs[1]), values(dq.inputs[1])) && same(values(q.inputs[2]), values(dq.inputs[2]));
}
