import { attributeNumbers, attributeString, type Layer } from '../../network/layer.js';
import type { Dim } from '../../network/network.js';

export interface ConvTransposeGeometry {
  kernel: number[];
  strides: number[];
  dilations: number[];
  outputPadding: number[];
  /** [begins..., ends...], with output_shape and auto_pad resolved. */
  pads: number[];
  /** Output spatial sizes (symbolic where the input's are). */
  spatial: Dim[];
}

/** ONNX ConvTranspose's output size and padding, from its attributes and the input's spatial size. */
export function convTransposeGeometry(layer: Layer, weightShape: number[], inputSpatial: Dim[]): ConvTransposeGeometry {
  const n = inputSpatial.length;
  const kernel = attributeNumbers(layer, 'kernel_shape', weightShape.slice(2));
  const strides = attributeNumbers(layer, 'strides', new Array(n).fill(1));
  const dilations = attributeNumbers(layer, 'dilations', new Array(n).fill(1));
  const outputPadding = attributeNumbers(layer, 'output_padding', new Array(n).fill(0));
  const autoPad = attributeString(layer, 'auto_pad', 'NOTSET');
  let pads = attributeNumbers(layer, 'pads', new Array(2 * n).fill(0));
  const requested = layer.attributes.output_shape ? attributeNumbers(layer, 'output_shape').slice(-n) : undefined;
  const natural = (i: number, size: number) => strides[i] * (size - 1) + outputPadding[i] + (kernel[i] - 1) * dilations[i] + 1;
  const targets = requested ?? (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER' ? inputSpatial.map((d, i) => (typeof d === 'number' ? d * strides[i] : d)) : undefined);
  if (targets) {
    pads = new Array(2 * n).fill(0);
    for (let i = 0; i < n; i++) {
      const size = inputSpatial[i];
      const target = targets[i];
      if (typeof size !== 'number' || typeof target !== 'number') continue;
      // Negative when the requested output is larger: the extra rows are zeros at the end.
      const total = natural(i, size) - target;
      const half = Math.floor(total / 2);
      pads[i] = autoPad === 'SAME_UPPER' ? half : total - half;
      pads[i + n] = total - pads[i];
    }
  }
  const spatial = inputSpatial.map((size, i) => (typeof size === 'number' ? natural(i, size) - pads[i] - pads[i + n] : size));
  return { kernel, strides, dilations, outputPadding, pads, spatial };
}
