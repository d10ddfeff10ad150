import { BuildError } from '../../errors.js';
import { attributeNumber, attributeNumbers, attributeString } from '../../network/layer.js';
import { resolveAutoPad } from '../../optimizer/analysis/shape-utils.js';
import { floats, ints, nativeLayer, str, type Lowering } from './context.js';

export const lowerConv: Lowering = (layer, ctx) => {
  const weightShape = ctx.info(layer.inputs[1], layer).shape;
  if (weightShape.length !== 4 || weightShape.some((d) => typeof d !== 'number')) {
    throw new BuildError(`only 2-D convolution with weights of a known shape is supported (weights [${weightShape.join(', ')}])`, layer.name, 'KILN_UNSUPPORTED');
  }
  // Weights computed at run time cannot be packed ahead: such a convolution runs unpacked.
  const packed = ctx.network.constants.has(layer.inputs[1]) && (!layer.inputs[2] || ctx.network.constants.has(layer.inputs[2]));
  const kernel = attributeNumbers(layer, 'kernel_shape', (weightShape as number[]).slice(2));
  const strides = attributeNumbers(layer, 'strides', [1, 1]);
  const dilations = attributeNumbers(layer, 'dilations', [1, 1]);
  const x = ctx.info(layer.inputs[0], layer);
  const pads = resolveAutoPad(attributeString(layer, 'auto_pad', 'NOTSET'), attributeNumbers(layer, 'pads', [0, 0, 0, 0]), x.shape.slice(2, 4), kernel, strides, dilations);
  if (!pads) throw new BuildError('auto_pad SAME needs static spatial dimensions', layer.name, 'KILN_UNSUPPORTED');
  const attrs = {
    strides: ints(strides),
    pads: ints(pads),
    dilations: ints(dilations),
    group: ints([attributeNumber(layer, 'group', 1)]),
    activation: str(attributeString(layer, 'activation', 'none')),
    activation_alpha: floats([attributeNumber(layer, 'activation_alpha', 0)]),
    activation_beta: floats([attributeNumber(layer, 'activation_beta', 0)]),
    activation_after_residual: ints([attributeNumber(layer, 'activation_after_residual', 0)]),
  };
  if (layer.type === 'KilnConvBlocked') {
    if (!packed) throw new BuildError('a blocked convolution needs constant weights and bias', layer.name, 'KILN_UNSUPPORTED');
    return [nativeLayer(layer, 'KilnConvBlocked', { ...attrs, nchw_input: ints([attributeNumber(layer, 'nchw_input', 0)]) })];
  }
  return [nativeLayer(layer, packed ? 'Conv' : 'ConvDynamic', attrs)];
};

/** The channel-blocking pass's layout conversions (optimizer/channel-blocking.ts). */
export const lowerToBlocked: Lowering = (layer) => [nativeLayer(layer, 'KilnToBlocked', {})];
export const lowerFromBlocked: Lowering = (layer) => [nativeLayer(layer, 'KilnFromBlocked', { channels: ints([attributeNumber(layer, 'channels')]) })];
