import type { Layer } from '../network/layer.js';
import { attributeNumber, attributeNumbers, attributeString } from '../network/layer.js';
import type { NetworkDefinition } from '../network/network.js';
import { consumersOf, onlyReadBy, producersOf, zeroBias } from './graph-utils.js';

/**
 * Fuses the 1×1 convolution of each YOLOv5 head level into its `KilnYoloDecode` (made by
 * yolo-decode-fusion), which then takes the convolution's input, weights and bias as inputs 0, 4
 * and 5: the native YoloHead computes the convolution transposed, so that its GEMM writes each
 * decoded cell's values in place with the sigmoid as its epilogue, instead of writing the
 * [N, A·K, H, W] map for a second pass to read, transpose and decode.
 *
 * Applies to a plain FP32 Conv (1×1, stride 1, no padding, dilation 1, one group, no fused
 * activation or residual) with constant float32 weights [A·K, cin, 1, 1] and bias, read only by
 * the decode. Runs after INT8 quantization, so that a head quantized to INT8 stays as it is.
 */
export function fuseYoloHeads(network: NetworkDefinition): number {
  const decodes = network.layers.filter((l) => l.type === 'KilnYoloDecode' && l.inputs.length === 4);
  if (!decodes.length) return 0;
  const consumers = consumersOf(network);
  const producers = producersOf(network);
  const removed = new Set<Layer>();
  for (const decode of decodes) {
    const conv = producers.get(decode.inputs[0]!);
    if (!conv || !plainPointwise(network, conv, attributeNumber(decode, 'anchors') * attributeNumber(decode, 'outputs'))) continue;
    if (!onlyReadBy(network, consumers, conv.outputs[0]!, decode)) continue;
    decode.inputs = [conv.inputs[0]!, ...decode.inputs.slice(1), conv.inputs[1]!, conv.inputs[2] || zeroBias(network, conv)];
    removed.add(conv);
  }
  network.layers = network.layers.filter((layer) => !removed.has(layer));
  return removed.size;
}

function plainPointwise(network: NetworkDefinition, conv: Layer, channels: number): boolean {
  if (conv.type !== 'Conv' || conv.domain || conv.outputs.length !== 1 || conv.inputs.length > 3) return false;
  const weights = network.constants.get(conv.inputs[1] ?? '');
  const bias = conv.inputs[2] ? network.constants.get(conv.inputs[2]) : undefined;
  if (!weights || weights.dtype !== 'float32' || weights.shape.length !== 4) return false;
  if (weights.shape[0] !== channels || weights.shape[2] !== 1 || weights.shape[3] !== 1) return false;
  if (conv.inputs[2] && (!bias || bias.dtype !== 'float32')) return false;
  const ones = (name: string) => attributeNumbers(conv, name, [1, 1]).every((v) => v === 1);
  return (
    attributeString(conv, 'activation', 'none') === 'none' &&
    ['NOTSET', 'VALID'].includes(attributeString(conv, 'auto_pad', 'NOTSET')) &&
    attributeNumbers(conv, 'pads', [0, 0, 0, 0]).every((v) => v === 0) &&
    ones('strides') &&
    ones('dilations') &&
    attributeNumber(conv, 'group', 1) === 1
  );
}
