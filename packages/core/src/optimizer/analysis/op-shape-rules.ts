import { attributeNumber, type Layer } from '../../network/layer.js';
import type { Dim } from '../../network/network.js';
import type { DType } from '../../tensor.js';
import { normalizeAxis } from './shape-utils.js';
import type { RuleInputs, ValueInfo } from './shape-rules.js';
import { valueElements } from './value.js';

/** Shape rules of the math, reduction, indexing and normalization ops beyond the core set. */
type Rule = (layer: Layer, input: RuleInputs) => ValueInfo[];

class OpRuleError extends TypeError {}

function x0(layer: Layer, input: RuleInputs): ValueInfo {
  const info = input.infos[0];
  if (!info) throw new OpRuleError(`layer '${layer.name}' (${layer.type}) has no first input`);
  return info;
}

function known(layer: Layer, input: RuleInputs, index: number, what: string): Dim[] {
  const value = input.values[index];
  if (!value) throw new OpRuleError(`layer '${layer.name}' (${layer.type}): ${what} must be known at build time`);
  return valueElements(value);
}

const same: Rule = (layer, input) => [{ ...x0(layer, input) }];
const toBool: Rule = (layer, input) => [{ dtype: 'bool', shape: [...x0(layer, input).shape] }];

const product = (layer: Layer, dims: Dim[]): Dim => (dims.every((d) => typeof d === 'number') ? (dims as number[]).reduce((a, b) => a * b, 1) : `${layer.name}_size`);

const reduce: Rule = (layer, input) => {
  const x = x0(layer, input);
  const axes = input.values[1] ? (valueElements(input.values[1]) as number[]) : [];
  if (!axes.length && attributeNumber(layer, 'noop_with_empty_axes', 0)) return [{ ...x }];
  const set = new Set(axes.length ? axes.map((a) => normalizeAxis(a, x.shape.length)!) : x.shape.map((_, i) => i));
  const keep = attributeNumber(layer, 'keepdims', 1) === 1;
  return [{ dtype: x.dtype, shape: keep ? x.shape.map((d, i) => (set.has(i) ? 1 : d)) : x.shape.filter((_, i) => !set.has(i)) }];
};

const argReduce: Rule = (layer, input) => {
  const x = x0(layer, input);
  const axis = normalizeAxis(attributeNumber(layer, 'axis', 0), x.shape.length)!;
  const keep = attributeNumber(layer, 'keepdims', 1) === 1;
  return [{ dtype: 'int64', shape: keep ? x.shape.map((d, i) => (i === axis ? 1 : d)) : x.shape.filter((_, i) => i !== axis) }];
};

const topK: Rule = (layer, input) => {
  const x = x0(layer, input);
  const axis = normalizeAxis(attributeNumber(layer, 'axis', -1), x.shape.length)!;
  const k = input.values[1] ? valueElements(input.values[1])[0] : `${layer.name}_k`;
  const shape = x.shape.map((d, i) => (i === axis ? k : d));
  return [{ dtype: x.dtype, shape }, { dtype: 'int64', shape: [...shape] }];
};

const gatherElements: Rule = (layer, input) => [{ dtype: x0(layer, input).dtype, shape: [...input.infos[1]!.shape] }];

const tile: Rule = (layer, input) => {
  const x = x0(layer, input);
  const repeats = known(layer, input, 1, 'the repeats');
  return [{ dtype: x.dtype, shape: x.shape.map((d, i) => (typeof d === 'number' && typeof repeats[i] === 'number' ? d * (repeats[i] as number) : `${layer.name}_d${i}`)) }];
};

const depthSpace = (toSpace: boolean): Rule => (layer, input) => {
  const x = x0(layer, input);
  const b = attributeNumber(layer, 'blocksize');
  const [n, c, h, w] = x.shape;
  const scale = (d: Dim, f: number, i: number): Dim => (typeof d === 'number' ? d * f : `${layer.name}_d${i}`);
  return [{ dtype: x.dtype, shape: toSpace ? [n, scale(c, 1 / (b * b), 1), scale(h, b, 2), scale(w, b, 3)] : [n, scale(c, b * b, 1), scale(h, 1 / b, 2), scale(w, 1 / b, 3)] }];
};

const size: Rule = () => [{ dtype: 'int64', shape: [] }];

const range: Rule = (layer, input) => {
  const dtype = x0(layer, input).dtype;
  const [start, limit, delta] = [0, 1, 2].map((i) => (input.values[i] ? valueElements(input.values[i]!)[0] : undefined));
  if (typeof start === 'number' && typeof limit === 'number' && typeof delta === 'number') {
    return [{ dtype, shape: [Math.max(Math.ceil((limit - start) / delta), 0)] }];
  }
  return [{ dtype, shape: [`${layer.name}_length`] }];
};

const castLike: Rule = (layer, input) => [{ dtype: input.infos[1]!.dtype as DType, shape: [...x0(layer, input).shape] }];


export const OP_SHAPE_RULES: Record<string, Rule> = {
  ...Object.fromEntries(
    ['Celu', 'Softsign', 'ThresholdedRelu', 'Sin', 'Cos', 'Tan', 'Asin', 'Acos', 'Atan', 'Sinh', 'Cosh', 'Asinh', 'Acosh', 'Atanh', 'GroupNormalization', 'Trilu'].map((op) => [op, same]),
  ),
  IsNaN: toBool,
  IsInf: toBool,
  ...Object.fromEntries(['ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare', 'ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin'].map((op) => [op, reduce])),
  ArgMax: argReduce,
  ArgMin: argReduce,
  TopK: topK,
  GatherElements: gatherElements,
  Tile: tile,
  DepthToSpace: depthSpace(true),
  SpaceToDepth: depthSpace(false),
  Size: size,
  Range: range,
  CastLike: castLike,
};
