import { BuildError } from '../../errors.js';
import { attributeNumber } from '../../network/layer.js';
import { ints, nativeLayer, type Lowering } from './context.js';

/**
 * NonMaxSuppression. Its output's length depends on the data, so it must be a graph output (the
 * engine allocates the upper bound and reports the rows it wrote). Omitted optional inputs become
 * constants with ONNX's defaults: no boxes per class, IoU threshold 0, no score threshold.
 */
export const lowerNonMaxSuppression: Lowering = (layer, ctx) => {
  const output = layer.outputs[0];
  if (!ctx.network.outputs.includes(output) || ctx.network.layers.some((l) => l.inputs.includes(output))) {
    throw new BuildError('the output of NonMaxSuppression has a data-dependent length and must be a graph output read by no other layer', layer.name, 'KILN_UNSUPPORTED');
  }
  const defaults = [
    { dtype: 'int64' as const, data: BigInt64Array.from([0n]) },
    { dtype: 'float32' as const, data: Float32Array.from([0]) },
    { dtype: 'float32' as const, data: Float32Array.from([-3.4e38]) },
  ];
  const inputs = layer.inputs.slice(0, 2);
  defaults.forEach((value, i) => {
    const given = layer.inputs[i + 2];
    if (given) return void inputs.push(given);
    const name = `${layer.name}__default${i + 2}`;
    ctx.network.constants.set(name, { dtype: value.dtype, shape: [1], data: value.data } as never);
    inputs.push(name);
  });
  return [nativeLayer(layer, 'NonMaxSuppression', { center_point_box: ints([attributeNumber(layer, 'center_point_box', 0)]) }, inputs)];
};
