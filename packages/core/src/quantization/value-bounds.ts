import { attributeNumber, attributeString } from '../network/layer.js';
import type { NetworkDefinition } from '../network/network.js';

// The smallest value each activation can produce (SiLU's minimum is at x ≈ −1.278).
const ACTIVATION_MINIMUM: Record<string, number> = { relu: 0, sigmoid: 0, hard_sigmoid: 0, silu: -0.2784645, hard_swish: -0.375 };
const SAME_VALUES = new Set(['MaxPool', 'Resize', 'Concat', 'Reshape', 'Flatten', 'Transpose', 'Slice', 'Split', 'Squeeze', 'Unsqueeze', 'Identity']);

/**
 * A lower bound of every tensor's values that the graph alone proves (−Infinity where it proves
 * none): a SiLU output never goes below −0.2785, a max pool never below its input. INT8 ranges
 * start there instead of at −threshold, so the u8 codes are not spent on values that cannot occur
 * (the calibration cache holds one symmetric threshold per tensor, as TensorRT's does).
 */
export function valueLowerBounds(network: NetworkDefinition): Map<string, number> {
  const bounds = new Map<string, number>();
  const of = (name: string) => bounds.get(name) ?? -Infinity;
  for (const layer of network.layers) {
    let bound = -Infinity;
    if (layer.type === 'Conv' || layer.type === 'KilnQConv') {
      const activation = attributeString(layer, 'activation', 'none');
      bound = activation === 'clip' ? attributeNumber(layer, 'activation_alpha', -Infinity) : (ACTIVATION_MINIMUM[activation] ?? -Infinity);
    } else if (layer.type === 'Relu' || layer.type === 'Sigmoid') {
      bound = 0;
    } else if (SAME_VALUES.has(layer.type)) {
      const inputs = layer.type === 'Concat' ? layer.inputs : layer.inputs.slice(0, 1);
      bound = Math.min(...inputs.map(of));
    } else if (layer.type === 'Add' && layer.inputs.length === 2) {
      bound = of(layer.inputs[0]!) + of(layer.inputs[1]!);
    }
    for (const output of layer.outputs) bounds.set(output, bound);
  }
  return bounds;
}
