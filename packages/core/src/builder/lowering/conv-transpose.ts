import { BuildError } from '../../errors.js';
import { attributeNumber } from '../../network/layer.js';
import { convTransposeGeometry } from '../../optimizer/analysis/conv-transpose-geometry.js';
import { ints, nativeLayer, type Lowering } from './context.js';

/** ConvTranspose (1-D and 2-D) with output_shape and auto_pad resolved into explicit pads. */
export const lowerConvTranspose: Lowering = (layer, ctx) => {
  const weightShape = ctx.info(layer.inputs[1], layer).shape;
  if ((weightShape.length !== 3 && weightShape.length !== 4) || weightShape.some((d) => typeof d !== 'number')) {
    throw new BuildError(`only 1-D and 2-D ConvTranspose with weights of a known shape are supported (weights [${weightShape.join(', ')}])`, layer.name, 'KILN_UNSUPPORTED');
  }
  const x = ctx.info(layer.inputs[0], layer);
  const g = convTransposeGeometry(layer, weightShape as number[], x.shape.slice(2));
  return [
    nativeLayer(layer, 'ConvTranspose', {
      strides: ints(g.strides),
      pads: ints(g.pads),
      dilations: ints(g.dilations),
      output_padding: ints(g.outputPadding),
      group: ints([attributeNumber(layer, 'group', 1)]),
    }),
  ];
};
