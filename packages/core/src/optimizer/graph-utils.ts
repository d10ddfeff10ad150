import type { AttributeValue, Layer } from '../network/layer.js';
import type { NetworkDefinition } from '../network/network.js';

/** For each tensor name, the layers that read it (in order). */
export function consumersOf(network: NetworkDefinition): Map<string, Layer[]> {
  const consumers = new Map<string, Layer[]>();
  for (const layer of network.layers) {
    for (const name of layer.inputs) {
      if (name === '') continue;
      const list = consumers.get(name) ?? [];
      if (!list.includes(layer)) list.push(layer);
      consumers.set(name, list);
    }
  }
  return consumers;
}

/** For each tensor name, the layer that writes it. */
export function producersOf(network: NetworkDefinition): Map<string, Layer> {
  const producers = new Map<string, Layer>();
  for (const layer of network.layers) for (const name of layer.outputs) if (name) producers.set(name, layer);
  return producers;
}

/** True when `name` is read only by `reader` and is not a graph output. */
export function onlyReadBy(network: NetworkDefinition, consumers: Map<string, Layer[]>, name: string, reader: Layer): boolean {
  const list = consumers.get(name) ?? [];
  return list.length === 1 && list[0] === reader && !network.outputs.includes(name);
}

/** Makes every layer read `to` where it read `from`. */
export function renameInput(network: NetworkDefinition, from: string, to: string): void {
  for (const layer of network.layers) layer.inputs = layer.inputs.map((name) => (name === from ? to : name));
}

/** `base`, or `base` with the first number that makes it no constant's or input's name yet. */
export function unusedConstantName(network: NetworkDefinition, base: string): string {
  let name = base;
  for (let i = 1; network.constants.has(name) || network.isInput(name); i++) name = `${base}${i}`;
  return name;
}

/** A new all-zero bias constant for a Conv that has none (one value per output channel); its name. */
export function zeroBias(network: NetworkDefinition, conv: Layer): string {
  const channels = network.constants.get(conv.inputs[1]!)!.shape[0]!;
  const name = unusedConstantName(network, `${conv.name}__zero_bias`);
  network.constants.set(name, { dtype: 'float32', shape: [channels], data: new Float32Array(channels) });
  return name;
}

/** The layer's attributes among `names` that it has, each under `prefix` + its name (a fused layer's stage). */
export function copiedAttributes(layer: Layer, names: string[], prefix = ''): Record<string, AttributeValue> {
  return Object.fromEntries(names.filter((name) => layer.attributes[name] !== undefined).map((name) => [prefix + name, layer.attributes[name]!]));
}
