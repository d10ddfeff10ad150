import { BuildError } from '../../errors.js';
import { attributeNumber, attributeNumbers, attributeString, stageOf, type Layer } from '../../network/layer.js';
import { resolveAutoPad } from '../../optimizer/analysis/shape-utils.js';
import type { NativeAttr } from '../../native.js';
import { floats, ints, nativeLayer, str, type Lowering, type LoweringContext } from './context.js';

/** A 2-D convolution's window over input 0, by the weights at `weightsIndex`; pads made explicit. */
function convWindow(layer: Layer, ctx: LoweringContext, weightsIndex = 1): Record<string, NativeAttr> {
  const weightShape = ctx.info(layer.inputs[weightsIndex], layer).shape;
  if (weightShape.length !== 4 || weightShape.some((d) => typeof d !== 'number')) {
    throw new BuildError(`only 2-D convolution with weights of a known shape is supported (weights [${weightShape.join(', ')}])`, layer.name, 'KILN_UNSUPPORTED');
  }
  const kernel = attributeNumbers(layer, 'kernel_shape', (weightShape as number[]).slice(2));
  const strides = attributeNumbers(layer, 'strides', [1, 1]);
  const dilations = attributeNumbers(layer, 'dilations', [1, 1]);
  const x = ctx.info(layer.inputs[0], layer);
  const pads = resolveAutoPad(attributeString(layer, 'auto_pad', 'NOTSET'), attributeNumbers(layer, 'pads', [0, 0, 0, 0]), x.shape.slice(2, 4), kernel, strides, dilations);
  if (!pads) throw new BuildError('auto_pad SAME needs static spatial dimensions', layer.name, 'KILN_UNSUPPORTED');
  return { strides: ints(strides), pads: ints(pads), dilations: ints(dilations), group: ints([attributeNumber(layer, 'group', 1)]) };
}

/** A fused activation's attributes, `prefix` + activation / activation_alpha / activation_beta. */
function activation(layer: Layer, prefix = ''): Record<string, NativeAttr> {
  return {
    [`${prefix}activation`]: str(attributeString(layer, `${prefix}activation`, 'none')),
    [`${prefix}activation_alpha`]: floats([attributeNumber(layer, `${prefix}activation_alpha`, 0)]),
    [`${prefix}activation_beta`]: floats([attributeNumber(layer, `${prefix}activation_beta`, 0)]),
  };
}

const residualOrder = (layer: Layer) => ({ activation_after_residual: ints([attributeNumber(layer, 'activation_after_residual', 0)]) });
const blockedNeedsConstants = (layer: Layer) => new BuildError('a blocked convolution needs constant weights and bias', layer.name, 'KILN_UNSUPPORTED');

export const lowerConv: Lowering = (layer, ctx) => {
  // Weights computed at run time cannot be packed ahead: such a convolution runs unpacked.
  const packed = ctx.network.constants.has(layer.inputs[1]) && (!layer.inputs[2] || ctx.network.constants.has(layer.inputs[2]));
  const attrs = { ...convWindow(layer, ctx), ...activation(layer), ...residualOrder(layer) };
  if (layer.type === 'KilnConvBlocked') {
    if (!packed) throw blockedNeedsConstants(layer);
    return [nativeLayer(layer, 'KilnConvBlocked', { ...attrs, nchw_input: ints([attributeNumber(layer, 'nchw_input', 0)]) })];
  }
  return [nativeLayer(layer, packed ? 'Conv' : 'ConvDynamic', attrs)];
};

/** A fused layer's image stem (its attributes prefixed `stem_`): its window and activation, prefixed. */
function stemAttrs(layer: Layer, ctx: LoweringContext): Record<string, NativeAttr> {
  const stem = stageOf(layer, 'stem_');
  return Object.fromEntries(Object.entries({ ...convWindow(stem, ctx), ...activation(stem) }).map(([name, value]) => [`stem_${name}`, value]));
}

/** KilnBottleneckBlocked (optimizer/bottleneck-fusion.ts; with `stem`, stem-fusion.ts): the window is the depthwise convolution's. */
export const lowerBottleneck: Lowering = (layer, ctx) => {
  const expand = attributeNumber(layer, 'expand', 0);
  const stem = attributeNumber(layer, 'stem', 0);
  const fed = expand || stem;
  if (![1, 2, 3, 4, ...(fed ? [5, 6] : [])].every((i) => ctx.network.constants.has(layer.inputs[i] ?? ''))) throw blockedNeedsConstants(layer);
  return [
    nativeLayer(layer, 'KilnBottleneckBlocked', {
      expand: ints([expand]),
      stem: ints([stem]),
      ...(stem ? stemAttrs(layer, ctx) : {}),
      ...convWindow(layer, ctx, fed ? 3 : 1),
      ...activation(layer, 'expand_'),
      ...activation(layer, 'depthwise_'),
      ...activation(layer),
      ...residualOrder(layer),
    }),
  ];
};

/** KilnStemBlocked (optimizer/stem-fusion.ts): the stem's window and activation prefixed `stem_`, the convolution's as a Conv's. */
export const lowerStem: Lowering = (layer, ctx) => {
  if (![1, 2, 3, 4].every((i) => ctx.network.constants.has(layer.inputs[i] ?? ''))) throw blockedNeedsConstants(layer);
  return [nativeLayer(layer, 'KilnStemBlocked', { ...stemAttrs(layer, ctx), ...convWindow(layer, ctx, 3), ...activation(layer), ...residualOrder(layer) })];
};

/** The channel-blocking pass's layout conversions (optimizer/channel-blocking.ts). */
export const lowerToBlocked: Lowering = (layer) => [nativeLayer(layer, 'KilnToBlocked', {})];
export const lowerFromBlocked: Lowering = (layer) => [nativeLayer(layer, 'KilnFromBlocked', { channels: ints([attributeNumber(layer, 'channels')]) })];
