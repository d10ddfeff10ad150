import { BuildError } from '../../errors.js';
import { attributeNumber } from '../../network/layer.js';
import { lowerConv } from './convolution.js';
import { floats, ints, nativeLayer, type Lowering } from './context.js';

const quantAttrs = (layer: Parameters<Lowering>[0], prefix: string) => ({
  [`${prefix}_scale`]: floats([attributeNumber(layer, `${prefix}_scale`)]),
  [`${prefix}_zero_point`]: ints([attributeNumber(layer, `${prefix}_zero_point`)]),
});

/** ONNX Quantize/DequantizeLinear with one constant scale and zero point → Quantize/Dequantize. */
const linear = (type: 'Quantize' | 'Dequantize'): Lowering => (layer, ctx) => {
  const scale = ctx.constantNumbers(layer, 1, 'the scale');
  const zeroPoint = ctx.optionalConstantNumbers(layer, 2, 'the zero point') ?? [0];
  if (scale.length !== 1 || zeroPoint.length !== 1) {
    throw new BuildError('per-axis quantization of a tensor computed at run time is not supported (only of constants, which are folded)', layer.name, 'KILN_UNSUPPORTED');
  }
  if (type === 'Dequantize' && ctx.info(layer.inputs[0]!, layer).dtype === 'int32') throw new BuildError('dequantizing int32 at run time is not supported', layer.name, 'KILN_UNSUPPORTED');
  return [nativeLayer(layer, type, { scale: floats(scale), zero_point: ints(zeroPoint) }, [layer.inputs[0]!])];
};

/** ONNX QuantizeLinear/DequantizeLinear and the INT8 pass's layers → the native Quantize, Dequantize and QConv layers. */
export const QUANTIZATION_LOWERINGS: Record<string, Lowering> = {
  QuantizeLinear: linear('Quantize'),
  DequantizeLinear: linear('Dequantize'),
  KilnQuantize: (layer) => [nativeLayer(layer, 'Quantize', { scale: floats([attributeNumber(layer, 'scale')]), zero_point: ints([attributeNumber(layer, 'zero_point')]) })],
  KilnDequantize: (layer) => [nativeLayer(layer, 'Dequantize', { scale: floats([attributeNumber(layer, 'scale')]), zero_point: ints([attributeNumber(layer, 'zero_point')]) })],
  KilnQConv: (layer, ctx) => {
    const [conv] = lowerConv(layer, ctx);
    const attrs = { ...conv!.attrs, ...quantAttrs(layer, 'x') };
    if (layer.attributes.y_scale !== undefined) Object.assign(attrs, quantAttrs(layer, 'y'));
    if (layer.attributes.r_scale !== undefined) Object.assign(attrs, quantAttrs(layer, 'r'));
    return [nativeLayer(layer, 'QConv', attrs)];
  },
};
