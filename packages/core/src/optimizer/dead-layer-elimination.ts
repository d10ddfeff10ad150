import type { NetworkDefinition } from '../network/network.js';

/** Removes layers none of whose outputs reach a graph output, and constants nothing reads. */
export function eliminateDeadLayers(network: NetworkDefinition): number {
  const live = new Set(network.outputs);
  const kept = [];
  for (let i = network.layers.length - 1; i >= 0; i--) {
    const layer = network.layers[i];
    if (layer.outputs.some((name) => live.has(name))) {
      kept.push(layer);
      for (const name of layer.inputs) if (name) live.add(name);
    }
  }
  const removed = network.layers.length - kept.length;
  network.layers = kept.reverse();
  for (const name of [...network.constants.keys()]) if (!live.has(name)) network.constants.delete(name);
  return removed;
}
