import { attributeNumber } from '../../network/layer.js';
import { ints, nativeLayer, str, type Lowering } from './context.js';

const REDUCE: Record<string, string> = {
  ReduceSum: 'sum', ReduceMean: 'mean', ReduceMax: 'max', ReduceMin: 'min', ReduceProd: 'prod', ReduceL1: 'l1',
  ReduceL2: 'l2', ReduceLogSum: 'log_sum', ReduceLogSumExp: 'log_sum_exp', ReduceSumSquare: 'sum_square',
};

/** Reduce*: axes from the constant second input; none means all axes, or (noop_with_empty_axes) a copy. */
const lowerReduce: Lowering = (layer, ctx) => {
  const axes = ctx.optionalConstantNumbers(layer, 1, 'the axes') ?? [];
  const x = [layer.inputs[0]];
  if (!axes.length && attributeNumber(layer, 'noop_with_empty_axes', 0)) {
    return [nativeLayer(layer, 'Reshape', { shape: ints(ctx.info(x[0], layer).shape.map(() => 0)) }, x)];
  }
  return [nativeLayer(layer, 'Reduce', { op: str(REDUCE[layer.type]), axes: ints(axes), keepdims: ints([attributeNumber(layer, 'keepdims', 1)]) }, x)];
};

const lowerArgReduce: Lowering = (layer) => [
  nativeLayer(layer, 'ArgReduce', {
    op: str(layer.type === 'ArgMax' ? 'max' : 'min'),
    axis: ints([attributeNumber(layer, 'axis', 0)]),
    keepdims: ints([attributeNumber(layer, 'keepdims', 1)]),
    select_last_index: ints([attributeNumber(layer, 'select_last_index', 0)]),
  }),
];

const lowerSoftmax: Lowering = (layer) => [
  nativeLayer(layer, 'Softmax', { axis: ints([attributeNumber(layer, 'axis', -1)]), log: ints([layer.type === 'LogSoftmax' ? 1 : 0]) }),
];

/** TopK with a build-time k; `sorted` = 0 allows any order, so sorted output is correct too. */
const lowerTopK: Lowering = (layer, ctx) => {
  const [k] = ctx.constantNumbers(layer, 1, 'TopK k');
  return [nativeLayer(layer, 'TopK', { k: ints([k]), axis: ints([attributeNumber(layer, 'axis', -1)]), largest: ints([attributeNumber(layer, 'largest', 1)]) }, [layer.inputs[0]])];
};

export const REDUCTION_LOWERINGS: Record<string, Lowering> = {
  ...Object.fromEntries(Object.keys(REDUCE).map((op) => [op, lowerReduce])),
  ArgMax: lowerArgReduce,
  ArgMin: lowerArgReduce,
  Softmax: lowerSoftmax,
  LogSoftmax: lowerSoftmax,
  TopK: lowerTopK,
};
