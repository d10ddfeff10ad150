import type { Layer } from '../network/layer.js';
import { attributeNumber, attributeNumbers } from '../network/layer.js';
import type { NetworkDefinition } from '../network/network.js';
import { consumersOf, copiedAttributes, onlyReadBy, zeroBias } from './graph-utils.js';

const GEOMETRY = ['strides', 'pads', 'dilations', 'group', 'kernel_shape', 'auto_pad'];
const ACTIVATION = ['activation', 'activation_alpha', 'activation_beta'];

/**
 * Fuses an image stem (a `KilnConvBlocked` reading its NCHW input, made by channel blocking) with
 * the layer that alone reads it. The stem's output is the network's largest tensor (YOLOv5's 16 or
 * 32 channels, MobileNetV2's 32, at half the image size): the fused layer computes it a few rows at
 * a time, just ahead of its reader, so that it never leaves the cache, and times this against
 * running the two one after the other.
 *
 * - A one-group blocked convolution with no faster kernel of its own than the blocked window one
 *   (not 1×1, not 3×3 stride 1: Winograd) becomes, with the stem, one `KilnStemBlocked`: inputs x,
 *   stem weights, stem bias, weights, bias[, residual]; the stem's geometry and activation prefixed
 *   `stem_`, the convolution's as they were.
 * - An inverted residual block without expansion (a `KilnBottleneckBlocked`, MobileNetV2's first)
 *   takes the stem in its expansion's place: attribute `stem`, the stem's weights and bias as inputs
 *   1 and 2, its geometry and activation prefixed `stem_`.
 *
 * The fused layer takes the stem's name. Runs after channel blocking and bottleneck fusion.
 */
export function fuseStems(network: NetworkDefinition): number {
  const consumers = consumersOf(network);
  const replaced = new Map<Layer, Layer>();
  const removed = new Set<Layer>();
  for (const stem of network.layers) {
    if (stem.type !== 'KilnConvBlocked' || !attributeNumber(stem, 'nchw_input', 0)) continue;
    const readers = consumers.get(stem.outputs[0]!) ?? [];
    const reader = readers[0];
    // The fused layer never holds the whole stem output: a reader that also takes it as its
    // residual (a first block without expansion whose input and output channels match) stays apart.
    const reads = reader?.inputs.filter((t) => t === stem.outputs[0]).length;
    if (!reader || !onlyReadBy(network, consumers, stem.outputs[0]!, reader) || reader.inputs[0] !== stem.outputs[0] || reads !== 1) continue;
    const stemInputs = [stem.inputs[0]!, stem.inputs[1]!, stem.inputs[2] || zeroBias(network, stem)];
    const stemAttributes = copiedAttributes(stem, [...GEOMETRY, ...ACTIVATION], 'stem_');
    if (windowOnly(network, reader)) {
      const inputs = [...stemInputs, reader.inputs[1]!, reader.inputs[2] || zeroBias(network, reader), ...(reader.inputs[3] ? [reader.inputs[3]] : [])];
      const attributes = { ...stemAttributes, ...copiedAttributes(reader, [...GEOMETRY, ...ACTIVATION, 'activation_after_residual']) };
      replaced.set(reader, { name: stem.name, type: 'KilnStemBlocked', inputs, outputs: [...reader.outputs], attributes });
    } else if (reader.type === 'KilnBottleneckBlocked' && !attributeNumber(reader, 'expand', 0) && !attributeNumber(reader, 'stem', 0)) {
      const attributes = { ...reader.attributes, stem: 1, ...stemAttributes };
      replaced.set(reader, { ...reader, name: stem.name, inputs: [...stemInputs, ...reader.inputs.slice(1)], attributes });
    } else {
      continue;
    }
    removed.add(stem);
  }
  network.layers = network.layers.filter((l) => !removed.has(l)).map((l) => replaced.get(l) ?? l);
  return replaced.size;
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
