import { BuildError } from '../../errors.js';
import { attributeNumber, attributeNumbers, attributeString } from '../../network/layer.js';
import { resolveAutoPad } from '../../optimizer/analysis/shape-utils.js';
import { ints, nativeLayer, type Lowering } from './context.js';

export const lowerPool: Lowering = (layer, ctx) => {
  if (layer.outputs[1]) throw new BuildError('MaxPool Indices output is not supported', layer.name, 'KILN_UNSUPPORTED');
  const kernel = attributeNumbers(layer, 'kernel_shape');
  if (kernel.length !== 2) throw new BuildError(`only 2-D pooling is supported (kernel [${kernel.join(', ')}])`, layer.name, 'KILN_UNSUPPORTED');
  const strides = attributeNumbers(layer, 'strides', [1, 1]);
  const dilations = attributeNumbers(layer, 'dilations', [1, 1]);
  const x = ctx.info(layer.inputs[0], layer);
  const pads = resolveAutoPad(attributeString(layer, 'auto_pad', 'NOTSET'), attributeNumbers(layer, 'pads', [0, 0, 0, 0]), x.shape.slice(2), kernel, strides, dilations);
  if (!pads) throw new BuildError('auto_pad SAME needs static spatial dimensions', layer.name, 'KILN_UNSUPPORTED');
  return [
    nativeLayer(layer, layer.type, {
      kernel_shape: ints(kernel),
      strides: ints(strides),
      pads: ints(pads),
      dilations: ints(dilations),
      ceil_mode: ints([attributeNumber(layer, 'ceil_mode', 0)]),
      count_include_pad: ints([attributeNumber(layer, 'count_include_pad', 0)]),
    }, [layer.inputs[0]]),
  ];
};

export const lowerGlobalPool: Lowering = (layer, ctx) => {
  if (ctx.info(layer.inputs[0], layer).shape.length !== 4) throw new BuildError('only 2-D global pooling is supported', layer.name, 'KILN_UNSUPPORTED');
  return [nativeLayer(layer, layer.type, {}, [layer.inputs[0]])];
};

export const POOLING_LOWERINGS: Record<string, (typeof lowerPool)> = {
  MaxPool: lowerPool,
  AveragePool: lowerPool,
  GlobalMaxPool: lowerGlobalPool,
  GlobalAveragePool: lowerGlobalPool,
};
