import type { AttributeValue, Layer } from '../network/layer.js';
import { attributeNumber, attributeNumbers } from '../network/layer.js';
import type { NetworkDefinition } from '../network/network.js';
import { consumersOf, copiedAttributes, onlyReadBy, producersOf, zeroBias } from './graph-utils.js';

const ACTIVATION = ['activation', 'activation_alpha', 'activation_beta'];

/**
 * Fuses each MobileNetV2 inverted residual block on blocked tensors — a 1×1 expansion, a
 * depthwise convolution and a 1×1 projection, all `KilnConvBlocked` — into one
 * `KilnBottleneckBlocked` layer. Its expanded activations, six times the block's width, are the
 * largest tensors of the network: the native layer computes the block row by row, so they never
 * leave the cache, and times this against running the three convolutions one after another.
 *
 * Applies where a pointwise convolution (1×1, one group, stride 1, no padding, dilation 1; a
 * residual or not) reads a depthwise one (dilation 1, no residual, any window, strides and pads)
 * that only it reads. The expansion is a pointwise convolution without residual that only the
 * depthwise one reads; without one (MobileNetV2's first block, or an expansion read elsewhere)
 * only the depthwise convolution and the projection are fused. None may read NCHW
 * (`nchw_input`). Runs after channel blocking.
 *
 * The layer takes the first fused layer's name (bench/layers.mjs matches a layer to the first ONNX
 * node it computes) and the projection's output. Inputs: x, [expand weights, expand bias,]
 * depthwise weights, depthwise bias, project weights, project bias[, residual]. Attributes:
 * `expand` (1 or 0); the depthwise window's `strides`, `pads`, `dilations`, `group`,
 * `kernel_shape`, `auto_pad`; `expand_activation*` and `depthwise_activation*` (those layers'
 * `activation`, `activation_alpha`, `activation_beta`) and the projection's own `activation*` and
 * `activation_after_residual`, each only where set. Stem fusion may later put an image stem in the
 * place of a missing expansion (attribute `stem`).
 */
export function fuseBottlenecks(network: NetworkDefinition): number {
  const consumers = consumersOf(network);
  const producers = producersOf(network);
  const replaced = new Map<Layer, Layer>();
  const removed = new Set<Layer>();
  for (const project of network.layers) {
    if (!pointwise(network, project)) continue;
    const depthwise = producers.get(project.inputs[0]!);
    if (!depthwise || !isDepthwise(network, depthwise) || !onlyReadBy(network, consumers, depthwise.outputs[0]!, project)) continue;
    // A projection fused already (MobileNetV1's dw → pw → dw → pw) is no expansion of the next block.
    const candidate = producers.get(depthwise.inputs[0]!);
    const free = candidate && !replaced.has(candidate) && !hasResidual(candidate) && pointwise(network, candidate);
    const expand = free && onlyReadBy(network, consumers, candidate.outputs[0]!, depthwise) ? candidate : undefined;
    replaced.set(project, fused(network, expand, depthwise, project));
    for (const layer of [expand, depthwise]) if (layer) removed.add(layer);
  }
  network.layers = network.layers.filter((l) => !removed.has(l)).map((l) => replaced.get(l) ?? l);
  return replaced.size;
}

function fused(network: NetworkDefinition, expand: Layer | undefined, depthwise: Layer, project: Layer): Layer {
  const weightsAndBias = (conv: Layer) => [conv.inputs[1]!, conv.inputs[2] || zeroBias(network, conv)];
  const inputs = [(expand ?? depthwise).inputs[0]!, ...(expand ? weightsAndBias(expand) : []), ...weightsAndBias(depthwise), ...weightsAndBias(project)];
  if (hasResidual(project)) inputs.push(project.inputs[3]!);
  const attributes: Record<string, AttributeValue> = {
    expand: expand ? 1 : 0,
    ...copiedAttributes(depthwise, ['strides', 'pads', 'dilations', 'group', 'kernel_shape', 'auto_pad']),
    ...(expand ? copiedAttributes(expand, ACTIVATION, 'expand_') : {}),
    ...copiedAttributes(depthwise, ACTIVATION, 'depthwise_'),
    ...copiedAttributes(project, [...ACTIVATION, 'activation_after_residual']),
  };
  return { name: (expand ?? depthwise).name, type: 'KilnBottleneckBlocked', inputs, outputs: [...project.outputs], attributes };
}


const hasResidual = (conv: Layer) => conv.inputs.length > 3 && !!conv.inputs[3];
const allEqual = (values: number[], value: number) => values.every((v) => v === value);

/** A blocked convolution reading blocked input, with constant 2-D weights. */
function blockedConv(network: NetworkDefinition, layer: Layer): number[] | undefined {
  if (layer.type !== 'KilnConvBlocked' || layer.outputs.length !== 1 || attributeNumber(layer, 'nchw_input', 0)) return undefined;
  const weights = network.constants.get(layer.inputs[1] ?? '');
  return weights?.shape.length === 4 ? (weights.shape as number[]) : undefined;
}

/** 1×1, one group, stride 1, no padding, dilation 1. */
function pointwise(network: NetworkDefinition, conv: Layer): boolean {
  const shape = blockedConv(network, conv);
  return (
    !!shape &&
    shape[2] === 1 &&
    shape[3] === 1 &&
    attributeNumber(conv, 'group', 1) === 1 &&
    allEqual(attributeNumbers(conv, 'strides', [1, 1]), 1) &&
    allEqual(attributeNumbers(conv, 'pads', [0, 0, 0, 0]), 0) &&
    allEqual(attributeNumbers(conv, 'dilations', [1, 1]), 1)
  );
}

/** One group per channel, dilation 1, no residual. */
function isDepthwise(network: NetworkDefinition, conv: Layer): boolean {
  const shape = blockedConv(network, conv);
  return !!shape && shape[1] === 1 && attributeNumber(conv, 'group', 1) === shape[0] && allEqual(attributeNumbers(conv, 'dilations', [1, 1]), 1) && !hasResidual(conv);
}
