import type { AttributeValue, Layer } from '../network/layer.js';
import { attributeNumber, attributeNumbers } from '../network/layer.js';
import type { NetworkDefinition } from '../network/network.js';
import { consumersOf, onlyReadBy, zeroBias } from './graph-utils.js';

const GEOMETRY = ['strides', 'pads', 'dilations', 'group', 'kernel_shape', 'auto_pad'];
const ACTIVATION = ['activation', 'activation_alpha', 'activation_beta'];

/**
 * Fuses an image stem (a `KilnConvBlocked` reading its NCHW input, made by channel blocking) with
 * the one-group blocked convolution that alone reads it into one `KilnStemBlocked` layer. The stem's
 * output is the network's largest tensor (YOLOv5's 16 or 32 channels at half the image size): the
 * native layer computes it a few rows at a time, just ahead of the convolution, so that it never
 * leaves the cache, and times this against running the two one after the other.
 *
 * Only where the convolution would have no faster kernel of its own than the blocked window one: not
 * a 1×1 window, not a 3×3 stride-1 one (Winograd). Runs after channel blocking.
 *
 * The layer takes the stem's name and the convolution's output. Inputs: x, stem weights, stem bias,
 * weights, bias[, residual]. Attributes: the stem's geometry and activation prefixed `stem_`, the
 * convolution's as they were.
 */
export function fuseStems(network: NetworkDefinition): number {
  const consumers = consumersOf(network);
  const replaced = new Map<Layer, Layer>();
  const removed = new Set<Layer>();
  for (const stem of network.layers) {
    if (stem.type !== 'KilnConvBlocked' || !attributeNumber(stem, 'nchw_input', 0)) continue;
    const readers = consumers.get(stem.outputs[0]!) ?? [];
    const conv = readers[0];
    if (!conv || !onlyReadBy(network, consumers, stem.outputs[0]!, conv) || conv.inputs[0] !== stem.outputs[0] || !windowOnly(network, conv)) continue;
    const bias = (layer: Layer) => layer.inputs[2] || zeroBias(network, layer);
    const inputs = [stem.inputs[0]!, stem.inputs[1]!, bias(stem), conv.inputs[1]!, bias(conv), ...(conv.inputs[3] ? [conv.inputs[3]] : [])];
    const attributes: Record<string, AttributeValue> = {
      ...copied(stem, [...GEOMETRY, ...ACTIVATION], 'stem_'),
      ...copied(conv, [...GEOMETRY, ...ACTIVATION, 'activation_after_residual']),
    };
    replaced.set(conv, { name: stem.name, type: 'KilnStemBlocked', inputs, outputs: [...conv.outputs], attributes });
    removed.add(stem);
  }
  network.layers = network.layers.filter((l) => !removed.has(l)).map((l) => replaced.get(l) ?? l);
  return replaced.size;
}

/** The layer's attributes among `names` that it has, each under `prefix` + its name. */
function copied(layer: Layer, names: string[], prefix = ''): Record<string, AttributeValue> {
  return Object.fromEntries(names.filter((name) => layer.attributes[name] !== undefined).map((name) => [prefix + name, layer.attributes[name]!]));
}

/** A blocked one-group convolution that runs the window kernel: not 1×1, not 3×3 stride 1 dilation 1. */
function windowOnly(network: NetworkDefinition, conv: Layer): boolean {
  if (conv.type !== 'KilnConvBlocked' || attributeNumber(conv, 'nchw_input', 0) || attributeNumber(conv, 'group', 1) !== 1) return false;
  const weights = network.constants.get(conv.inputs[1] ?? '');
  if (!weights || weights.shape.length !== 4) return false;
  const [kh, kw] = weights.shape.slice(2) as number[];
  const ones = (name: string) => attributeNumbers(conv, name, [1, 1]).every((v) => v === 1);
  return !(kh === 1 && kw === 1) && !(kh === 3 && kw === 3 && ones('strides') && ones('dilations'));
}
