import { BuildError } from '../../errors.js';
import { attributeNumber, attributeNumbers, attributeString } from '../../network/layer.js';
import { resolveAutoPad } from '../../optimizer/analysis/shape-utils.js';
import { floats, ints, nativeLayer, str, type Lowering } from './context.js';

export const lowerConv: Lowering = (layer, ctx) => {
  const weight = ctx.network.constants.get(layer.inputs[1]);
  if (!weight) throw new BuildError('Conv weights must be constant', layer.name, 'KILN_UNSUPPORTED');
  if (weight.shape.length !== 4) throw new BuildError(`only 2-D convolution is supported (weights [${weight.shape.join(', ')}])`, layer.name, 'KILN_UNSUPPORTED');
  if (layer.inputs[2] && !ctx.network.constants.has(layer.inputs[2])) throw new BuildError('Conv bias must be constant', layer.name, 'KILN_UNSUPPORTED');
  const kernel = attributeNumbers(layer, 'kernel_shape', weight.shape.slice(2));
  const strides = attributeNumbers(layer, 'strides', [1, 1]);
  const dilations = attributeNumbers(layer, 'dilations', [1, 1]);
  const x = ctx.info(layer.inputs[0], layer);
  const pads = resolveAutoPad(attributeString(layer, 'auto_pad', 'NOTSET'), attributeNumbers(layer, 'pads', [0, 0, 0, 0]), x.shape.slice(2), kernel, strides, dilations);
  if (!pads) throw new BuildError('auto_pad SAME needs static spatial dimensions', layer.name, 'KILN_UNSUPPORTED');
  const attrs = {
    strides: ints(strides),
    pads: ints(pads),
    dilations: ints(dilations),
    group: ints([attributeNumber(layer, 'group', 1)]),
    activation: str(attributeString(layer, 'activation', 'none')),
    activation_alpha: floats([attributeNumber(layer, 'activation_alpha', 0)]),
    activation_beta: floats([attributeNumber(layer, 'activation_beta', 0)]),
  };
  return [nativeLayer(layer, 'Conv', attrs)];
};
