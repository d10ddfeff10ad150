import { attributeNumber, attributeNumbers, attributeString, stageOf, type Layer } from '../../network/layer.js';
import type { Dim } from '../../network/network.js';
import type { DType } from '../../tensor.js';
import { broadcastDims, formatShape, normalizeAxis, normalizeBoundary, resolveAutoPad, windowOutput } from './shape-utils.js';
import { valueElements, type KnownValue } from './value.js';
import { convTransposeGeometry } from './conv-transpose-geometry.js';
import { OP_SHAPE_RULES } from './op-shape-rules.js';
import { quantizationShapeRules } from '../../quantization/shape-rules.js';

export interface ValueInfo {
  dtype: DType;
  shape: Dim[];
}

/** What a shape rule sees: input infos ('' inputs are undefined) and their build-time values. */
export interface RuleInputs {
  infos: (ValueInfo | undefined)[];
  values: (KnownValue | undefined)[];
}

export class ShapeRuleError extends Error {}

export type ShapeRule = (layer: Layer, input: RuleInputs) => ValueInfo[];

function first(input: RuleInputs, layer: Layer): ValueInfo {
  const info = input.infos[0];
  if (!info) throw new ShapeRuleError(`layer '${layer.name}' (${layer.type}) has no first input`);
  return info;
}

const sameAsInput: ShapeRule = (layer, input) => [{ ...first(input, layer) }];

const broadcast = (dtype?: DType): ShapeRule => (layer, input) => {
  let shape: Dim[] = [];
  for (const info of input.infos) {
    if (!info) continue;
    const next = broadcastDims(shape, info.shape);
    if (!next) throw new ShapeRuleError(`layer '${layer.name}' (${layer.type}): cannot broadcast ${formatShape(shape)} with ${formatShape(info.shape)}`);
    shape = next;
  }
  return [{ dtype: dtype ?? first(input, layer).dtype, shape }];
};

function knownInts(input: RuleInputs, index: number, layer: Layer, what: string): Dim[] {
  const value = input.values[index];
  if (!value) throw new ShapeRuleError(`layer '${layer.name}' (${layer.type}): ${what} must be known at build time`);
  return valueElements(value);
}

function optionalInts(input: RuleInputs, index: number): Dim[] | undefined {
  const value = input.values[index];
  return value ? valueElements(value) : undefined;
}

const conv: ShapeRule = (layer, input) => {
  const x = first(input, layer);
  const w = input.infos[1];
  if (!w) throw new ShapeRuleError(`layer '${layer.name}' (Conv) has no weights`);
  const kernel = attributeNumbers(layer, 'kernel_shape', w.shape.slice(2) as number[]);
  const n = kernel.length;
  const strides = attributeNumbers(layer, 'strides', new Array(n).fill(1));
  const dilations = attributeNumbers(layer, 'dilations', new Array(n).fill(1));
  const pads = resolveAutoPad(attributeString(layer, 'auto_pad', 'NOTSET'), attributeNumbers(layer, 'pads', new Array(2 * n).fill(0)), x.shape.slice(2), kernel, strides, dilations);
  const spatial = x.shape.slice(2).map((size, i) => (pads ? windowOutput(size, kernel[i], strides[i], pads[i], pads[i + n], dilations[i]) : `${layer.name}_d${i}`));
  return [{ dtype: x.dtype, shape: [x.shape[0], w.shape[0], ...spatial] }];
};

/** The blocked layout (channel-blocking): [N, C, H, W] stored as [N, ceil(C / 16), H, W, 16]. */
const blockedChannels = (channels: Dim): Dim => (typeof channels === 'number' ? Math.ceil(channels / 16) : `${channels}_blocks`);

const toBlocked: ShapeRule = (layer, input) => {
  const x = first(input, layer);
  return [{ dtype: x.dtype, shape: [x.shape[0], blockedChannels(x.shape[1]), x.shape[2], x.shape[3], 16] }];
};

const fromBlocked: ShapeRule = (layer, input) => {
  const x = first(input, layer);
  return [{ dtype: x.dtype, shape: [x.shape[0], attributeNumber(layer, 'channels'), x.shape[2], x.shape[3]] }];
};

/** KilnConvBlocked: a Conv on blocked tensors (with `nchw_input`, from an NCHW one). */
const convBlocked: ShapeRule = (layer, input) => {
  const x = first(input, layer);
  if (attributeNumber(layer, 'nchw_input', 0)) {
    const [out] = conv(layer, input);
    return [{ dtype: x.dtype, shape: [out.shape[0], blockedChannels(out.shape[1]), out.shape[2], out.shape[3], 16] }];
  }
  const [nchw] = conv(layer, { ...input, infos: [{ ...x, shape: [x.shape[0], x.shape[1], x.shape[2], x.shape[3]] }, ...input.infos.slice(1)] });
  return [{ dtype: x.dtype, shape: [nchw.shape[0], blockedChannels(nchw.shape[1]), nchw.shape[2], nchw.shape[3], 16] }];
};

/** A fused layer's image stem (attributes `stem_*`, weights input 1) over its NCHW input: the blocked tensor it writes. */
function stemOutput(layer: Layer, input: RuleInputs): ValueInfo {
  const x = first(input, layer);
  const [mid] = conv(stageOf(layer, 'stem_'), { ...input, infos: [x, input.infos[1]!] });
  return { dtype: x.dtype, shape: [mid.shape[0], blockedChannels(mid.shape[1]), mid.shape[2], mid.shape[3], 16] };
}

/** KilnStemBlocked (stem-fusion): the stem over the NCHW input, then the blocked convolution over its output. */
const stemBlocked: ShapeRule = (layer, input) => {
  const weights = input.infos[3];
  if (!input.infos[1] || !weights) throw new ShapeRuleError(`layer '${layer.name}' (${layer.type}) has no stem or convolution weights`);
  return convBlocked(layer, { ...input, infos: [stemOutput(layer, input), weights] });
};

/** KilnBottleneckBlocked (bottleneck-fusion; with `stem`, stem-fusion): the depthwise convolution's window over the block's input (or the stem's output), the projection's channels. */
const bottleneckBlocked: ShapeRule = (layer, input) => {
  const stem = attributeNumber(layer, 'stem', 0) === 1;
  const fed = stem || attributeNumber(layer, 'expand', 0) === 1;
  const [depthwise, project] = [input.infos[fed ? 3 : 1], input.infos[fed ? 5 : 3]];
  if (!depthwise || !project) throw new ShapeRuleError(`layer '${layer.name}' (${layer.type}) has no depthwise or projection weights`);
  const x = stem ? stemOutput(layer, input) : first(input, layer);
  const [out] = convBlocked(layer, { ...input, infos: [x, depthwise] });
  out.shape[1] = blockedChannels(project.shape[0]);
  return [out];
};

const convTranspose: ShapeRule = (layer, input) => {
  const x = first(input, layer);
  const w = input.infos[1];
  if (!w) throw new ShapeRuleError(`layer '${layer.name}' (ConvTranspose) has no weights`);
  const { spatial } = convTransposeGeometry(layer, w.shape as number[], x.shape.slice(2));
  const cout = typeof w.shape[1] === 'number' ? w.shape[1] * attributeNumber(layer, 'group', 1) : `${layer.name}_channels`;
  return [{ dtype: x.dtype, shape: [x.shape[0], cout, ...spatial] }];
};

const pool: ShapeRule = (layer, input) => {
  const x = first(input, layer);
  const kernel = attributeNumbers(layer, 'kernel_shape');
  const n = kernel.length;
  const strides = attributeNumbers(layer, 'strides', new Array(n).fill(1));
  const dilations = attributeNumbers(layer, 'dilations', new Array(n).fill(1));
  const ceil = attributeNumber(layer, 'ceil_mode', 0) === 1;
  const pads = resolveAutoPad(attributeString(layer, 'auto_pad', 'NOTSET'), attributeNumbers(layer, 'pads', new Array(2 * n).fill(0)), x.shape.slice(2), kernel, strides, dilations);
  const spatial = x.shape.slice(2).map((size, i) => (pads ? windowOutput(size, kernel[i], strides[i], pads[i], pads[i + n], dilations[i], ceil) : `${layer.name}_d${i}`));
  return [{ dtype: x.dtype, shape: [x.shape[0], x.shape[1], ...spatial] }];
};

/** KilnMaxPoolBlocked: MaxPool over the rows and columns of a blocked tensor. */
const poolBlocked: ShapeRule = (layer, input) => {
  const x = first(input, layer);
  const [out] = pool(layer, { ...input, infos: [{ ...x, shape: x.shape.slice(0, 4) }, ...input.infos.slice(1)] });
  return [{ dtype: x.dtype, shape: [...out.shape, 16] }];
};

/** KilnGlobalAveragePoolBlocked: one 16-lane pixel per channel block. */
const globalPoolBlocked: ShapeRule = (layer, input) => {
  const x = first(input, layer);
  return [{ dtype: x.dtype, shape: [x.shape[0], x.shape[1], 1, 1, 16] }];
};

const globalPool: ShapeRule = (layer, input) => {
  const x = first(input, layer);
  return [{ dtype: x.dtype, shape: [x.shape[0], x.shape[1], ...x.shape.slice(2).map(() => 1)] }];
};

const concat: ShapeRule = (layer, input) => {
  const infos = input.infos.filter((i): i is ValueInfo => !!i);
  const rank = infos[0].shape.length;
  const axis = normalizeAxis(attributeNumber(layer, 'axis'), rank);
  if (axis === undefined) throw new ShapeRuleError(`layer '${layer.name}' (Concat): axis out of range`);
  const shape = [...infos[0].shape];
  let total: Dim = 0;
  for (const info of infos) {
    const d = info.shape[axis];
    total = typeof total === 'number' && typeof d === 'number' ? total + d : `${layer.name}_axis`;
  }
  shape[axis] = total;
  return [{ dtype: infos[0].dtype, shape }];
};

/** Reshape's target with 0 (copy) and -1 (infer) resolved where the sizes allow. */
export function reshapeTarget(inShape: Dim[], target: Dim[], allowZero: boolean): Dim[] {
  const out = target.map((d, i) => (d === 0 && !allowZero ? inShape[i] : d));
  const inferred = out.indexOf(-1);
  if (inferred < 0) return out;
  const known = out.filter((d, i) => i !== inferred);
  if (inShape.every((d) => typeof d === 'number') && known.every((d) => typeof d === 'number')) {
    const total = (inShape as number[]).reduce((a, b) => a * b, 1);
    const part = (known as number[]).reduce((a, b) => a * b, 1);
    out[inferred] = part === 0 ? 0 : total / part;
  } else {
    // Symbolic: cancel the symbolic dims that appear on both sides, then divide what remains.
    const rest = [...inShape];
    let part = 1;
    let ok = true;
    for (const d of known) {
      if (typeof d === 'number') part *= d;
      else {
        const at = rest.indexOf(d);
        if (at < 0) ok = false;
        else rest.splice(at, 1);
      }
    }
    const remaining = rest.every((d) => typeof d === 'number') ? (rest as number[]).reduce((a, b) => a * b, 1) : undefined;
    out[inferred] = ok && remaining !== undefined ? remaining / part : `reshape_${inShape.join('x')}`;
  }
  return out;
}

const reshape: ShapeRule = (layer, input) => {
  const x = first(input, layer);
  const target = knownInts(input, 1, layer, 'the target shape');
  return [{ dtype: x.dtype, shape: reshapeTarget(x.shape, target, attributeNumber(layer, 'allowzero', 0) === 1) }];
};

const flatten: ShapeRule = (layer, input) => {
  const x = first(input, layer);
  const axis = normalizeBoundary(attributeNumber(layer, 'axis', 1), x.shape.length);
  const product = (dims: Dim[]): Dim => (dims.every((d) => typeof d === 'number') ? (dims as number[]).reduce((a, b) => a * b, 1) : `${layer.name}_flat`);
  return [{ dtype: x.dtype, shape: [product(x.shape.slice(0, axis)), product(x.shape.slice(axis))] }];
};

const transpose: ShapeRule = (layer, input) => {
  const x = first(input, layer);
  const perm = attributeNumbers(layer, 'perm', x.shape.map((_, i) => x.shape.length - 1 - i));
  return [{ dtype: x.dtype, shape: perm.map((p) => x.shape[p]) }];
};

const unsqueeze: ShapeRule = (layer, input) => {
  const x = first(input, layer);
  const axes = knownInts(input, 1, layer, 'axes') as number[];
  const rank = x.shape.length + axes.length;
  const normalized = axes.map((a) => normalizeAxis(a, rank)!).sort((a, b) => a - b);
  const out: Dim[] = [...x.shape];
  for (const a of normalized) out.splice(a, 0, 1);
  return [{ dtype: x.dtype, shape: out }];
};

const squeeze: ShapeRule = (layer, input) => {
  const x = first(input, layer);
  const axes = (input.infos[1] ? knownInts(input, 1, layer, 'axes') : undefined) as number[] | undefined;
  const drop = new Set(axes ? axes.map((a) => normalizeAxis(a, x.shape.length)!) : x.shape.flatMap((d, i) => (d === 1 ? [i] : [])));
  return [{ dtype: x.dtype, shape: x.shape.filter((_, i) => !drop.has(i)) }];
};

const slice: ShapeRule = (layer, input) => {
  const x = first(input, layer);
  const starts = knownInts(input, 1, layer, 'starts') as number[];
  const ends = knownInts(input, 2, layer, 'ends') as number[];
  const axes = (optionalInts(input, 3) as number[] | undefined) ?? starts.map((_, i) => i);
  const steps = (optionalInts(input, 4) as number[] | undefined) ?? starts.map(() => 1);
  const out = [...x.shape];
  axes.forEach((a, i) => {
    const axis = normalizeAxis(a, x.shape.length)!;
    const dim = x.shape[axis];
    if (typeof dim !== 'number') {
      out[axis] = `${layer.name}_d${axis}`;
      return;
    }
    out[axis] = sliceLength(dim, starts[i], ends[i], steps[i]);
  });
  return [{ dtype: x.dtype, shape: out }];
};

export function sliceRange(dim: number, start: number, end: number, step: number): { begin: number; count: number } {
  let s = start < 0 ? start + dim : start;
  let e = end < 0 ? end + dim : end;
  if (step > 0) {
    s = Math.min(Math.max(s, 0), dim);
    e = Math.min(Math.max(e, 0), dim);
    return { begin: s, count: e > s ? Math.ceil((e - s) / step) : 0 };
  }
  s = Math.min(Math.max(s, 0), dim - 1);
  e = Math.min(Math.max(e, -1), dim - 1);
  return { begin: s, count: s > e ? Math.ceil((s - e) / -step) : 0 };
}

function sliceLength(dim: number, start: number, end: number, step: number): number {
  return sliceRange(dim, start, end, step).count;
}

const split: ShapeRule = (layer, input) => {
  const x = first(input, layer);
  const axis = normalizeAxis(attributeNumber(layer, 'axis', 0), x.shape.length)!;
  const sizes = optionalInts(input, 1) as number[] | undefined;
  const parts = layer.outputs.length;
  const dim = x.shape[axis];
  return layer.outputs.map((_, i) => {
    const shape = [...x.shape];
    if (sizes) shape[axis] = sizes[i];
    else if (typeof dim === 'number') {
      const each = Math.ceil(dim / parts);
      shape[axis] = Math.max(0, Math.min(each, dim - each * i));
    } else shape[axis] = `${layer.name}_part${i}`;
    return { dtype: x.dtype, shape };
  });
};

const resize: ShapeRule = (layer, input) => {
  const x = first(input, layer);
  const sizes = input.infos[3] ? knownInts(input, 3, layer, 'sizes') : undefined;
  if (sizes && sizes.length) return [{ dtype: x.dtype, shape: sizes }];
  const scales = knownInts(input, 2, layer, 'scales') as number[];
  return [{ dtype: x.dtype, shape: x.shape.map((d, i) => (typeof d === 'number' ? Math.floor(d * scales[i]) : scales[i] === 1 ? d : `${layer.name}_d${i}`)) }];
};

const shapeOp: ShapeRule = (layer, input) => {
  const x = first(input, layer);
  const rank = x.shape.length;
  let start = normalizeBoundary(attributeNumber(layer, 'start', 0), rank);
  let end = layer.attributes.end === undefined ? rank : attributeNumber(layer, 'end');
  if (end < 0) end += rank;
  start = Math.min(Math.max(start, 0), rank);
  end = Math.min(Math.max(end, 0), rank);
  return [{ dtype: 'int64', shape: [Math.max(0, end - start)] }];
};

const gather: ShapeRule = (layer, input) => {
  const x = first(input, layer);
  const indices = input.infos[1]!;
  const axis = normalizeAxis(attributeNumber(layer, 'axis', 0), x.shape.length)!;
  return [{ dtype: x.dtype, shape: [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)] }];
};

const cast: ShapeRule = (layer, input) => [{ dtype: attributeString(layer, 'to') as DType, shape: [...first(input, layer).shape] }];

const gemm: ShapeRule = (layer, input) => {
  const a = first(input, layer);
  const b = input.infos[1]!;
  const m = attributeNumber(layer, 'transA', 0) ? a.shape[1] : a.shape[0];
  const n = attributeNumber(layer, 'transB', 0) ? b.shape[0] : b.shape[1];
  return [{ dtype: a.dtype, shape: [m, n] }];
};

const matmul: ShapeRule = (layer, input) => {
  const a = first(input, layer).shape;
  const b = input.infos[1]!.shape;
  const aa = a.length === 1 ? [1, a[0]] : a;
  const bb = b.length === 1 ? [b[0], 1] : b;
  const batch = broadcastDims(aa.slice(0, -2), bb.slice(0, -2));
  if (!batch) throw new ShapeRuleError(`layer '${layer.name}' (MatMul): batch dims do not broadcast`);
  const out: Dim[] = [...batch, aa[aa.length - 2], bb[bb.length - 1]];
  if (a.length === 1) out.splice(out.length - 2, 1);
  if (b.length === 1) out.splice(out.length - 1, 1);
  return [{ dtype: first(input, layer).dtype, shape: out }];
};

const reduce: ShapeRule = (layer, input) => {
  const x = first(input, layer);
  const axes = optionalInts(input, 1) as number[] | undefined;
  const keep = attributeNumber(layer, 'keepdims', 1) === 1;
  const all = !axes || axes.length === 0;
  const set = new Set(all ? x.shape.map((_, i) => i) : axes!.map((a) => normalizeAxis(a, x.shape.length)!));
  const shape = keep ? x.shape.map((d, i) => (set.has(i) ? 1 : d)) : x.shape.filter((_, i) => !set.has(i));
  return [{ dtype: x.dtype, shape }];
};

const constantOfShape: ShapeRule = (layer, input) => {
  const value = layer.attributes.value;
  const dtype = value && typeof value === 'object' && !Array.isArray(value) ? value.dtype : 'float32';
  return [{ dtype, shape: knownInts(input, 0, layer, 'the shape') }];
};

const pad: ShapeRule = (layer, input) => {
  const x = first(input, layer);
  const pads = knownInts(input, 1, layer, 'pads') as number[];
  const axes = (optionalInts(input, 3) as number[] | undefined) ?? x.shape.map((_, i) => i);
  const out = [...x.shape];
  axes.forEach((a, i) => {
    const axis = normalizeAxis(a, x.shape.length)!;
    const d = out[axis];
    out[axis] = typeof d === 'number' ? d + pads[i] + pads[i + axes.length] : d;
  });
  return [{ dtype: x.dtype, shape: out }];
};

const expand: ShapeRule = (layer, input) => {
  const x = first(input, layer);
  const target = knownInts(input, 1, layer, 'the target shape');
  const shape = broadcastDims(x.shape, target);
  if (!shape) throw new ShapeRuleError(`layer '${layer.name}' (Expand): cannot expand ${formatShape(x.shape)} to ${formatShape(target)}`);
  return [{ dtype: x.dtype, shape }];
};

const where: ShapeRule = (layer, input) => {
  const [info] = broadcast()(layer, input);
  return [{ dtype: input.infos[1]!.dtype, shape: info.shape }];
};

/** KilnYoloDecode (created by yolo-decode-fusion): [N, A·K, H, W] → [N, A·H·W, K]. */
const yoloDecode: ShapeRule = (layer, input) => {
  const x = first(input, layer);
  const anchors = attributeNumber(layer, 'anchors');
  const outputs = attributeNumber(layer, 'outputs');
  const [h, w] = [x.shape[2], x.shape[3]];
  const cells = typeof h === 'number' && typeof w === 'number' ? anchors * h * w : `${layer.name}_cells`;
  return [{ dtype: x.dtype, shape: [x.shape[0], cells, outputs] }];
};

/** LayerNormalization: Y like X; Mean and InvStdDev (float32) with the normalized axes kept as 1. */
const layerNorm: ShapeRule = (layer, input) => {
  const x = first(input, layer);
  const axis = normalizeAxis(attributeNumber(layer, 'axis', -1), x.shape.length);
  if (axis === undefined) throw new ShapeRuleError(`layer '${layer.name}' (LayerNormalization): axis out of range`);
  const reduced = x.shape.map((d, i) => (i < axis ? d : 1));
  const stats: ValueInfo = { dtype: 'float32', shape: reduced };
  return [{ ...x }, stats, { ...stats }].slice(0, Math.max(1, layer.outputs.length));
};

/** NonMaxSuppression: [selected, 3] int64, the count known only when it runs. */
const nonMaxSuppression: ShapeRule = (layer) => [{ dtype: 'int64', shape: [`${layer.name}_selected`, 3] }];

const UNARY = ['Identity', 'Relu', 'Sigmoid', 'Tanh', 'Exp', 'Log', 'Sqrt', 'Neg', 'Abs', 'Floor', 'Ceil', 'Reciprocal', 'LeakyRelu', 'Clip', 'HardSwish', 'HardSigmoid', 'Softmax', 'LogSoftmax', 'Elu', 'Selu', 'Softplus', 'Erf', 'Gelu', 'Mish', 'Round', 'Sign', 'BatchNormalization', 'InstanceNormalization', 'Dropout', 'PRelu'];
const BINARY = ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Sum', 'Mean'];
const COMPARE = ['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or', 'Xor'];

export const SHAPE_RULES: Record<string, ShapeRule> = {
  ...Object.fromEntries(UNARY.map((op) => [op, sameAsInput])),
  ...Object.fromEntries(BINARY.map((op) => [op, broadcast()])),
  ...Object.fromEntries(COMPARE.map((op) => [op, broadcast('bool')])),
  Not: sameAsInput,
  Conv: conv,
  NonMaxSuppression: nonMaxSuppression,
  LayerNormalization: layerNorm,
  ConvTranspose: convTranspose,
  KilnYoloDecode: yoloDecode,
  KilnToBlocked: toBlocked,
  KilnFromBlocked: fromBlocked,
  KilnConvBlocked: convBlocked,
  KilnBottleneckBlocked: bottleneckBlocked,
  KilnStemBlocked: stemBlocked,
  KilnMaxPoolBlocked: poolBlocked,
  KilnGlobalAveragePoolBlocked: globalPoolBlocked,
  Expand: expand,
  Where: where,
  MaxPool: pool,
  AveragePool: pool,
  GlobalAveragePool: globalPool,
  GlobalMaxPool: globalPool,
  Concat: concat,
  Reshape: reshape,
  Flatten: flatten,
  Transpose: transpose,
  Unsqueeze: unsqueeze,
  Squeeze: squeeze,
  Slice: slice,
  Split: split,
  Resize: resize,
  Shape: shapeOp,
  Gather: gather,
  Cast: cast,
  Gemm: gemm,
  MatMul: matmul,
  ReduceMean: reduce,
  ReduceSum: reduce,
  ReduceMax: reduce,
  ReduceMin: reduce,
  ConstantOfShape: constantOfShape,
  Pad: pad,
  Mod: broadcast(),
  ...OP_SHAPE_RULES,
  ...quantizationShapeRules(conv),
};
