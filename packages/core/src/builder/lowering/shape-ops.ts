import { BuildError } from '../../errors.js';
import { attributeNumber, attributeNumbers } from '../../network/layer.js';
import { staticReshapeTarget } from '../../optimizer/constant-folding.js';
import { normalizeAxis } from '../../optimizer/analysis/shape-utils.js';
import type { NativeAttr } from '../../native.js';
import { ints, nativeLayer, type Lowering } from './context.js';

export const lowerConcat: Lowering = (layer) => [nativeLayer(layer, 'Concat', { axis: ints([attributeNumber(layer, 'axis')]) })];

/** Any layer that only changes the shape (Reshape, Flatten, Squeeze, Unsqueeze) becomes a Reshape to its inferred output. */
export const lowerAsReshape: Lowering = (layer, ctx) => {
  const input = ctx.info(layer.inputs[0], layer).shape;
  const output = ctx.info(layer.outputs[0], layer).shape;
  let target: number[] | undefined;
  if (layer.type === 'Reshape' && attributeNumber(layer, 'allowzero', 0) === 0) {
    const given = ctx.constantNumbers(layer, 1, 'the target shape');
    if (given.filter((d) => d === -1).length <= 1) target = given;
  }
  target ??= staticReshapeTarget(input, output);
  // The native Reshape reads 0 as "copy this dimension" (ONNX's allowzero = 0): a target that
  // means an empty dimension cannot be said to it.
  if (target && output.some((d, i) => d === 0 && target![i] === 0 && input[i] !== 0)) {
    throw new BuildError(`reshaping to an empty dimension ([${output.join(', ')}]) is not supported`, layer.name, 'KILN_UNSUPPORTED');
  }
  if (!target) throw new BuildError(`cannot express the reshape of [${input.join(', ')}] to [${output.join(', ')}] statically`, layer.name, 'KILN_UNSUPPORTED');
  return [nativeLayer(layer, 'Reshape', { shape: ints(target) }, [layer.inputs[0]])];
};

export const lowerTranspose: Lowering = (layer, ctx) => {
  const rank = ctx.info(layer.inputs[0], layer).shape.length;
  const perm = attributeNumbers(layer, 'perm', Array.from({ length: rank }, (_, i) => rank - 1 - i));
  return [nativeLayer(layer, 'Transpose', { perm: ints(perm) })];
};

export const lowerSlice: Lowering = (layer, ctx) => {
  const starts = ctx.constantNumbers(layer, 1, 'Slice starts');
  const ends = ctx.constantNumbers(layer, 2, 'Slice ends');
  const axes = ctx.optionalConstantNumbers(layer, 3, 'Slice axes') ?? starts.map((_, i) => i);
  const steps = ctx.optionalConstantNumbers(layer, 4, 'Slice steps') ?? starts.map(() => 1);
  return [nativeLayer(layer, 'Slice', { starts: ints(starts), ends: ints(ends), axes: ints(axes), steps: ints(steps) }, [layer.inputs[0]])];
};

export const lowerSplit: Lowering = (layer, ctx) => {
  const rank = ctx.info(layer.inputs[0], layer).shape.length;
  const axis = normalizeAxis(attributeNumber(layer, 'axis', 0), rank);
  if (axis === undefined) throw new BuildError('Split axis out of range', layer.name);
  const sizes = ctx.optionalConstantNumbers(layer, 1, 'Split sizes');
  const attrs: Record<string, NativeAttr> = { axis: ints([axis]) };
  if (sizes) attrs.split = ints(sizes);
  return [nativeLayer(layer, 'Split', attrs, [layer.inputs[0]])];
};

/** A Range still in the network after constant folding has inputs, and so a length, known only at run time. */
const lowerRange: Lowering = (layer) => {
  throw new BuildError('Range start, limit and delta must be known at build time', layer.name, 'KILN_UNSUPPORTED');
};

export const SHAPE_LOWERINGS: Record<string, Lowering> = {
  Concat: lowerConcat,
  Reshape: lowerAsReshape,
  Flatten: lowerAsReshape,
  Squeeze: lowerAsReshape,
  Unsqueeze: lowerAsReshape,
  Transpose: lowerTranspose,
  Slice: lowerSlice,
  Split: lowerSplit,
  Range: lowerRange,
};
