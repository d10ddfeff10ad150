import { attributeNumber } from '../../network/layer.js';
import { lowerConv } from './convolution.js';
import { floats, ints, nativeLayer, type Lowering } from './context.js';

const quantAttrs = (layer: Parameters<Lowering>[0], prefix: string) => ({
  [`${prefix}_scale`]: floats([attributeNumber(layer, `${prefix}_scale`)]),
  [`${prefix}_zero_point`]: ints([attributeNumber(layer, `${prefix}_zero_point`)]),
});

/** The INT8 pass's layers → the native Quantize, Dequantize and QConv layers. */
export const QUANTIZATION_LOWERINGS: Record<string, Lowering> = {
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
