import type { Layer } from '../network/layer.js';
import type { NetworkDefinition } from '../network/network.js';
import { toNumbers } from '../tensor.js';
import { analyze } from './analysis/analyze.js';
import { consumersOf, producersOf, renameInput } from './graph-utils.js';
import type { PassContext } from './pass-context.js';

const PASS_THROUGH = new Set(['Identity', 'Dropout']);

/** A Reshape whose target has a 0 copies a dimension of its own input, so that input cannot change. */
function copiesDims(network: NetworkDefinition, reshape: Layer): boolean {
  const target = network.constants.get(reshape.inputs[1]);
  return !target || (reshape.attributes.allowzero !== 1 && toNumbers(target).includes(0));
}

/**
 * Removes layers that do not change their input: Identity and inference-time Dropout, and a
 * Reshape to the shape its input already has. Merges a Reshape that only feeds another Reshape
 * into it. A layer whose output is a graph output is kept unless its input's producer can be
 * renamed to write the graph output directly.
 */
export function elideIdentities(network: NetworkDefinition, context: PassContext = {}): number {
  const { infos } = analyze(network, context.plugins);
  let removed = 0;
  for (let changed = true; changed; ) {
    changed = false;
    const consumers = consumersOf(network);
    const producers = producersOf(network);
    for (const layer of network.layers) {
      const input = layer.inputs[0];
      const output = layer.outputs[0];
      let identity = PASS_THROUGH.has(layer.type);
      if (layer.type === 'Reshape') {
        const a = infos.get(input)?.shape;
        const b = infos.get(output)?.shape;
        identity = !!a && !!b && a.length === b.length && a.every((d, i) => d === b[i]);
        const next = consumers.get(output) ?? [];
        if (!identity && next.length === 1 && next[0].type === 'Reshape' && next[0].inputs[0] === output && !network.outputs.includes(output) && !copiesDims(network, next[0])) {
          next[0].inputs[0] = input;
          network.layers = network.layers.filter((l) => l !== layer);
          removed++;
          changed = true;
          break;
        }
      }
      if (!identity) continue;
      if (network.outputs.includes(output)) {
        const producer = producers.get(input);
        const soleReader = (consumers.get(input) ?? []).length === 1 && !network.outputs.includes(input);
        if (!producer || !soleReader) continue;
        producer.outputs = producer.outputs.map((n) => (n === input ? output : n));
      } else {
        renameInput(network, output, input);
      }
      network.layers = network.layers.filter((l) => l !== layer);
      removed++;
      changed = true;
      break;
    }
  }
  return removed;
}
