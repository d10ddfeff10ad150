import { attributeNumber, attributeNumbers, attributeString, type Layer } from '../../network/layer.js';
import type { Dim } from '../../network/network.js';
import { createTensor, type DType, type Tensor } from '../../tensor.js';
import { broadcastDims, normalizeAxis, normalizeBoundary } from './shape-utils.js';
import { reshapeTarget, sliceRange } from './shape-rules.js';
import { valueDType, valueElements, valueShape, type KnownValue } from './value.js';
import { dequantizeLinear, quantizeLinear } from '../../quantization/linear-quantization.js';

/** A value being evaluated: a dtype, a static shape and its elements (numbers or symbols). */
interface Dense {
  dtype: DType;
  shape: number[];
  elems: Dim[];
}

const MAX_FOLD_ELEMENTS = 1 << 24;

function dense(value: KnownValue): Dense {
  return { dtype: valueDType(value), shape: valueShape(value), elems: valueElements(value) };
}

function strides(shape: number[]): number[] {
  const s = new Array(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

function product(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Reads `source` at positions given by per-axis index lists (a general gather over all axes). */
function gatherAxes(source: Dense, indexLists: number[][]): Dim[] {
  const st = strides(source.shape);
  const outShape = indexLists.map((l) => l.length);
  const total = product(outShape);
  const out: Dim[] = new Array(total);
  const idx = new Array(outShape.length).fill(0);
  for (let o = 0; o < total; o++) {
    let offset = 0;
    for (let d = 0; d < idx.length; d++) offset += indexLists[d][idx[d]] * st[d];
    out[o] = source.elems[offset];
    for (let d = idx.length - 1; d >= 0; d--) {
      if (++idx[d] < outShape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

function castElement(v: Dim, to: DType): Dim {
  if (typeof v === 'string') return v;
  switch (to) {
    case 'float32':
    case 'float16':
      return Math.fround(v);
    case 'bool':
      return v !== 0 ? 1 : 0;
    default:
      return Math.trunc(v);
  }
}

const ARITH: Record<string, (a: number, b: number, dtype: DType) => number> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b, dtype) => (dtype === 'float32' || dtype === 'float16' ? a / b : Math.trunc(a / b)),
  Pow: (a, b) => a ** b,
  Max: (a, b) => Math.max(a, b),
  Min: (a, b) => Math.min(a, b),
  Equal: (a, b) => (a === b ? 1 : 0),
  Less: (a, b) => (a < b ? 1 : 0),
  Greater: (a, b) => (a > b ? 1 : 0),
  LessOrEqual: (a, b) => (a <= b ? 1 : 0),
  GreaterOrEqual: (a, b) => (a >= b ? 1 : 0),
  And: (a, b) => (a && b ? 1 : 0),
  Or: (a, b) => (a || b ? 1 : 0),
  Xor: (a, b) => (!a !== !b ? 1 : 0),
  Mod: (a, b) => a - b * Math.floor(a / b),
};

const TO_BOOL = new Set(['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or', 'Xor']);

const UNARY: Record<string, (x: number) => number> = {
  Floor: Math.floor,
  Ceil: Math.ceil,
  Neg: (x) => -x,
  Abs: Math.abs,
  Sqrt: Math.sqrt,
  Exp: Math.exp,
  Log: Math.log,
  Reciprocal: (x) => 1 / x,
  Relu: (x) => Math.max(0, x),
  Sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  Not: (x) => (x ? 0 : 1),
};

/** The elements of `x` broadcast to `shape` (which x must broadcast to). */
function broadcastTo(x: Dense, shape: number[]): Dim[] {
  const rank = shape.length;
  const padded: Dense = { ...x, shape: [...new Array(rank - x.shape.length).fill(1), ...x.shape] };
  return gatherAxes(padded, shape.map((d, i) => range(d).map((j) => (padded.shape[i] === 1 ? 0 : j))));
}

function binary(layer: Layer, inputs: Dense[]): Dense | undefined {
  const [a, b] = inputs;
  const shape = broadcastDims(a.shape, b.shape) as number[] | undefined;
  if (!shape) return undefined;
  const dtype = TO_BOOL.has(layer.type) ? 'bool' : a.dtype;
  // fmod = 1 (C's fmod, the sign of the dividend) is not evaluated here.
  if (layer.type === 'Mod' && attributeNumber(layer, 'fmod', 0) !== 0) return undefined;
  const fn = ARITH[layer.type];
  const ea = broadcastTo(a, shape);
  const eb = broadcastTo(b, shape);
  const elems: Dim[] = [];
  for (let i = 0; i < ea.length; i++) {
    const x = ea[i], y = eb[i];
    if (typeof x === 'string' || typeof y === 'string') {
      // x*1, x+0 keep a symbol; anything else on a symbol cannot be folded.
      if (layer.type === 'Mul' && (x === 1 || y === 1)) elems.push(x === 1 ? y : x);
      else if ((layer.type === 'Add' || layer.type === 'Sub') && y === 0) elems.push(x);
      else return undefined;
    } else {
      elems.push(castElement(fn(x, y, a.dtype), dtype));
    }
  }
  return { dtype, shape, elems };
}

function evaluateDense(layer: Layer, inputs: (Dense | undefined)[]): Dense[] | undefined {
  const x = inputs[0];
  switch (layer.type) {
    case 'Identity':
      return x && [x];
    case 'QuantizeLinear':
    case 'DequantizeLinear': {
      if (!x || !inputs[1] || x.elems.some((v) => typeof v === 'string')) return undefined;
      const scale = inputs[1].elems as number[];
      const zeroPoint = (inputs[2]?.elems as number[] | undefined) ?? [];
      const axis = attributeNumber(layer, 'axis', 1);
      if (layer.type === 'DequantizeLinear') return [{ dtype: 'float32', shape: x.shape, elems: dequantizeLinear(x.elems as number[], x.shape, scale, zeroPoint, axis) }];
      const dtype = attributeString(layer, 'dtype') as DType;
      return [{ dtype, shape: x.shape, elems: quantizeLinear(x.elems as number[], x.shape, scale, zeroPoint, axis, dtype) }];
    }
    case 'Cast':
      return x && [{ dtype: attributeString(layer, 'to') as DType, shape: x.shape, elems: x.elems.map((v) => castElement(v, attributeString(layer, 'to') as DType)) }];
    case 'Reshape': {
      const target = reshapeTarget(x!.shape, inputs[1]!.elems, attributeNumber(layer, 'allowzero', 0) === 1);
      return target.every((d) => typeof d === 'number') ? [{ ...x!, shape: target as number[] }] : undefined;
    }
    case 'Unsqueeze': {
      const axes = inputs[1]!.elems as number[];
      const rank = x!.shape.length + axes.length;
      const shape = [...x!.shape];
      for (const a of axes.map((v) => normalizeAxis(v, rank)!).sort((p, q) => p - q)) shape.splice(a, 0, 1);
      return [{ ...x!, shape }];
    }
    case 'Squeeze': {
      const axes = inputs[1] ? (inputs[1].elems as number[]).map((a) => normalizeAxis(a, x!.shape.length)!) : x!.shape.flatMap((d, i) => (d === 1 ? [i] : []));
      return [{ ...x!, shape: x!.shape.filter((_, i) => !axes.includes(i)) }];
    }
    case 'Flatten': {
      const axis = normalizeBoundary(attributeNumber(layer, 'axis', 1), x!.shape.length);
      return [{ ...x!, shape: [product(x!.shape.slice(0, axis)), product(x!.shape.slice(axis))] }];
    }
    case 'Concat': {
      const parts = inputs.filter((p): p is Dense => !!p);
      const axis = normalizeAxis(attributeNumber(layer, 'axis'), parts[0].shape.length)!;
      const outer = product(parts[0].shape.slice(0, axis));
      const elems: Dim[] = [];
      for (let o = 0; o < outer; o++) {
        for (const p of parts) {
          const chunk = product(p.shape.slice(axis));
          elems.push(...p.elems.slice(o * chunk, (o + 1) * chunk));
        }
      }
      const shape = [...parts[0].shape];
      shape[axis] = parts.reduce((s, p) => s + p.shape[axis], 0);
      return [{ dtype: parts[0].dtype, shape, elems }];
    }
    case 'Gather': {
      const axis = normalizeAxis(attributeNumber(layer, 'axis', 0), x!.shape.length)!;
      const indices = inputs[1]!;
      const dim = x!.shape[axis];
      const picked = (indices.elems as number[]).map((i) => (i < 0 ? i + dim : i));
      if (picked.some((i) => typeof i !== 'number' || i < 0 || i >= dim)) return undefined;
      const lists = x!.shape.map((d, i) => (i === axis ? picked : range(d)));
      return [{ dtype: x!.dtype, shape: [...x!.shape.slice(0, axis), ...indices.shape, ...x!.shape.slice(axis + 1)], elems: gatherAxes(x!, lists) }];
    }
    case 'Slice': {
      const starts = inputs[1]!.elems as number[];
      const ends = inputs[2]!.elems as number[];
      const axes = (inputs[3]?.elems as number[] | undefined) ?? starts.map((_, i) => i);
      const steps = (inputs[4]?.elems as number[] | undefined) ?? starts.map(() => 1);
      const lists = x!.shape.map((d) => range(d));
      axes.forEach((a, i) => {
        const axis = normalizeAxis(a, x!.shape.length)!;
        const { begin, count } = sliceRange(x!.shape[axis], starts[i], ends[i], steps[i]);
        lists[axis] = range(count).map((k) => begin + k * steps[i]);
      });
      return [{ dtype: x!.dtype, shape: lists.map((l) => l.length), elems: gatherAxes(x!, lists) }];
    }
    case 'Transpose': {
      const perm = attributeNumbers(layer, 'perm', x!.shape.map((_, i) => x!.shape.length - 1 - i));
      const st = strides(x!.shape);
      const shape = perm.map((p) => x!.shape[p]);
      const total = product(shape);
      const elems: Dim[] = new Array(total);
      const idx = new Array(shape.length).fill(0);
      for (let o = 0; o < total; o++) {
        let offset = 0;
        for (let d = 0; d < shape.length; d++) offset += idx[d] * st[perm[d]];
        elems[o] = x!.elems[offset];
        for (let d = shape.length - 1; d >= 0; d--) {
          if (++idx[d] < shape[d]) break;
          idx[d] = 0;
        }
      }
      return [{ dtype: x!.dtype, shape, elems }];
    }
    case 'Expand': {
      const target = inputs[1]!.elems;
      if (target.some((d) => typeof d !== 'number')) return undefined;
      const shape = broadcastDims(x!.shape, target as number[]) as number[] | undefined;
      return shape && [{ dtype: x!.dtype, shape, elems: broadcastTo(x!, shape) }];
    }
    case 'Where': {
      const [cond, a, b] = inputs as Dense[];
      const ab = broadcastDims(a.shape, b.shape);
      const shape = ab && (broadcastDims(cond.shape, ab) as number[] | undefined);
      if (!shape) return undefined;
      const [ec, ea, eb] = [cond, a, b].map((v) => broadcastTo(v, shape));
      return [{ dtype: a.dtype, shape, elems: ec.map((c, i) => (c ? ea[i] : eb[i])) }];
    }
    case 'ConstantOfShape': {
      const shape = x!.elems;
      if (shape.some((d) => typeof d !== 'number')) return undefined;
      const value = layer.attributes.value as Tensor | undefined;
      const fill = value ? Number(value.data[0]) : 0;
      return [{ dtype: value?.dtype ?? 'float32', shape: shape as number[], elems: new Array(product(shape as number[])).fill(fill) }];
    }
    case 'Range': {
      const [start, limit, delta] = [inputs[0]!, inputs[1]!, inputs[2]!].map((v) => v.elems[0]);
      if ([start, limit, delta].some((v) => typeof v !== 'number')) return undefined;
      const n = Math.max(Math.ceil(((limit as number) - (start as number)) / (delta as number)), 0);
      return [{ dtype: x!.dtype, shape: [n], elems: range(n).map((i) => (start as number) + i * (delta as number)) }];
    }
    default:
      if (ARITH[layer.type] && inputs.length === 2 && inputs[0] && inputs[1]) {
        const out = binary(layer, inputs as Dense[]);
        return out && [out];
      }
      if (UNARY[layer.type] && x) {
        if (x.elems.some((v) => typeof v === 'string')) return undefined;
        return [{ ...x, elems: (x.elems as number[]).map((v) => castElement(UNARY[layer.type](v), x.dtype)) }];
      }
      return undefined;
  }
}

function toKnown(d: Dense): KnownValue {
  if (d.elems.some((v) => typeof v === 'string')) return { kind: 'symbolic', dtype: d.dtype, shape: d.shape, values: d.elems };
  const tensor = createTensor(d.dtype, d.shape);
  const data = tensor.data;
  if (data instanceof BigInt64Array) d.elems.forEach((v, i) => (data[i] = BigInt(v as number)));
  else (data as Float32Array).set(d.elems as number[]);
  return { kind: 'tensor', tensor };
}

/** Evaluates a layer whose inputs are all known at build time; undefined when it cannot be. */
export function evaluateLayer(layer: Layer, inputs: (KnownValue | undefined)[]): KnownValue[] | undefined {
  if (layer.domain) return undefined;
  let total = 0;
  for (const v of inputs) if (v) total += product(valueShape(v));
  if (total > MAX_FOLD_ELEMENTS) return undefined;
  if (inputs.some((v) => v && valueDType(v) === 'float16')) return undefined;
  try {
    const out = evaluateDense(layer, inputs.map((v) => (v ? dense(v) : undefined)));
    return out?.map(toKnown);
  } catch {
    return undefined;
  }
}
