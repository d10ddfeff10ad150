import { BuildError } from '../../errors.js';
import { attributeNumber, attributeNumbers, attributeString, type Layer } from '../../network/layer.js';
import type { NativeAttr, NativeLayer } from '../../native.js';
import { resolveAutoPad } from '../../optimizer/analysis/shape-utils.js';
import { ints, nativeLayer, type Lowering, type LoweringContext } from './context.js';

/** The native pooling attributes of a 1-D or 2-D window (1-D as a 1 × k window). */
function windowAttrs(layer: Layer, ctx: LoweringContext): Record<string, NativeAttr> {
  const kernel = attributeNumbers(layer, 'kernel_shape');
  const n = kernel.length;
  const strides = attributeNumbers(layer, 'strides', new Array(n).fill(1));
  const dilations = attributeNumbers(layer, 'dilations', new Array(n).fill(1));
  const x = ctx.info(layer.inputs[0], layer);
  const pads = resolveAutoPad(attributeString(layer, 'auto_pad', 'NOTSET'), attributeNumbers(layer, 'pads', new Array(2 * n).fill(0)), x.shape.slice(2), kernel, strides, dilations);
  if (!pads) throw new BuildError('auto_pad SAME needs static spatial dimensions', layer.name, 'KILN_UNSUPPORTED');
  const as2d = (values: number[], unit: number) => (n === 1 ? [unit, ...values] : values);
  return {
    kernel_shape: ints(as2d(kernel, 1)),
    strides: ints(as2d(strides, 1)),
    pads: ints(n === 1 ? [0, pads[0], 0, pads[1]] : pads),
    dilations: ints(as2d(dilations, 1)),
    ceil_mode: ints([attributeNumber(layer, 'ceil_mode', 0)]),
    count_include_pad: ints([attributeNumber(layer, 'count_include_pad', 0)]),
  };
}

/** MaxPool and AveragePool over 2-D windows; a 1-D one runs as 2-D on [N, C, 1, L]. */
export const lowerPool: Lowering = (layer, ctx) => {
  if (layer.outputs[1]) throw new BuildError('MaxPool Indices output is not supported', layer.name, 'KILN_UNSUPPORTED');
  const kernel = attributeNumbers(layer, 'kernel_shape');
  if (kernel.length !== 1 && kernel.length !== 2) throw new BuildError(`only 1-D and 2-D pooling is supported (kernel [${kernel.join(', ')}])`, layer.name, 'KILN_UNSUPPORTED');
  const attrs = windowAttrs(layer, ctx);
  if (kernel.length === 2) return [nativeLayer(layer, layer.type, attrs, [layer.inputs[0]])];
  const x = ctx.info(layer.inputs[0], layer);
  const y = ctx.info(layer.outputs[0], layer);
  const [input2d, output2d] = [`${layer.name}__input_2d`, `${layer.name}__output_2d`];
  ctx.infos.set(input2d, { dtype: x.dtype, shape: [x.shape[0], x.shape[1], 1, x.shape[2]] });
  ctx.infos.set(output2d, { dtype: y.dtype, shape: [y.shape[0], y.shape[1], 1, y.shape[2]] });
  const layers: NativeLayer[] = [
    { name: `${layer.name}__to_2d`, type: 'Reshape', inputs: [layer.inputs[0]], outputs: [input2d], attrs: { shape: ints([0, 0, 1, -1]) } },
    { name: `${layer.name}__pool_2d`, type: layer.type, inputs: [input2d], outputs: [output2d], attrs },
    { name: layer.name, type: 'Reshape', inputs: [output2d], outputs: [layer.outputs[0]], attrs: { shape: ints([0, 0, -1]) } },
  ];
  return layers;
};

/** MaxPool and GlobalAveragePool between channel-blocked tensors (the channel-blocking pass). */
export const lowerMaxPoolBlocked: Lowering = (layer, ctx) => [nativeLayer(layer, 'KilnMaxPoolBlocked', windowAttrs(layer, ctx), [layer.inputs[0]])];

export const lowerGlobalAveragePoolBlocked: Lowering = (layer) => [nativeLayer(layer, 'KilnGlobalAveragePoolBlocked', {}, [layer.inputs[0]])];

export const lowerGlobalPool: Lowering = (layer, ctx) => {
  if (ctx.info(layer.inputs[0], layer).shape.length !== 4) throw new BuildError('only 2-D global pooling is supported', layer.name, 'KILN_UNSUPPORTED');
  return [nativeLayer(layer, layer.type, {}, [layer.inputs[0]])];
};

export const POOLING_LOWERINGS: Record<string, (typeof lowerPool)> = {
  MaxPool: lowerPool,
  KilnMaxPoolBlocked: lowerMaxPoolBlocked,
  KilnGlobalAveragePoolBlocked: lowerGlobalAveragePoolBlocked,
  AveragePool: lowerPool,
  GlobalMaxPool: lowerGlobalPool,
  GlobalAveragePool: lowerGlobalPool,
};
