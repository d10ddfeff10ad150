import { attributeString } from '../network/layer.js';
import type { ShapeRule } from '../optimizer/analysis/shape-rules.js';

/**
 * Shape rules of ONNX's QuantizeLinear (to its `dtype` attribute, set by the importer) and
 * DequantizeLinear (to float32), and of the layers the INT8 pass creates: KilnQuantize (float32 →
 * uint8), KilnDequantize (uint8 → float32) and KilnQConv (a Conv whose output element type is its
 * `output_dtype` attribute).
 */
export function quantizationShapeRules(conv: ShapeRule): Record<string, ShapeRule> {
  return {
    KilnQuantize: (layer, input) => [{ dtype: 'uint8', shape: [...input.infos[0]!.shape] }],
    KilnDequantize: (layer, input) => [{ dtype: 'float32', shape: [...input.infos[0]!.shape] }],
    QuantizeLinear: (layer, input) => [{ dtype: attributeString(layer, 'dtype') === 'int8' ? 'int8' : 'uint8', shape: [...input.infos[0]!.shape] }],
    DequantizeLinear: (layer, input) => [{ dtype: 'float32', shape: [...input.infos[0]!.shape] }],
    KilnQConv: (layer, input) => {
      const [out] = conv(layer, input);
      return [{ ...out!, dtype: attributeString(layer, 'output_dtype') === 'uint8' ? 'uint8' : 'float32' }];
    },
  };
}
