import { BuildError } from '../../errors.js';
import { attributeNumber, attributeString, type Layer } from '../../network/layer.js';
import type { NativeLayer } from '../../native.js';
import type { DType } from '../../tensor.js';
import { floats, nativeLayer, str, type Lowering, type LoweringContext } from './context.js';
import { lowerBinary, lowerUnary } from './elementwise.js';
import { lowerOneSidedIsInf } from './one-sided-is-inf.js';
import { lowerTypedClip } from './typed-clip.js';

/** Binary ops of the float32 fast path (the Binary layer); everything else goes to TypedBinary. */
const FLOAT_BINARY = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Sum']);

const TYPED_BINARY: Record<string, string> = {
  Add: 'add', Sub: 'sub', Mul: 'mul', Div: 'div', Pow: 'pow', Max: 'max', Min: 'min', Sum: 'add', Mean: 'add',
  Equal: 'equal', Less: 'less', Greater: 'greater', LessOrEqual: 'less_equal', GreaterOrEqual: 'greater_equal',
  And: 'and', Or: 'or', Xor: 'xor', PRelu: 'prelu', Mod: 'mod',
};

/** A Cast layer from `input` to `dtype`, its output recorded in the analysis; returns the output name. */
export function castTo(ctx: LoweringContext, layer: Layer, input: string, dtype: DType, out: NativeLayer[]): string {
  const info = ctx.info(input, layer);
  if (info.dtype === dtype) return input;
  const output = `${layer.name}__${input}__as_${dtype}`;
  ctx.infos.set(output, { dtype, shape: info.shape });
  out.push({ name: `${layer.name}__cast_${out.length}`, type: 'Cast', inputs: [input], outputs: [output], attrs: {} });
  return output;
}

/** Any-typed binary ops; variadic Max/Min/Sum/Mean become a chain, Mean then divides by the count. */
const lowerTypedBinary: Lowering = (layer, ctx) => {
  const inputs = layer.inputs.filter((n) => n !== '');
  const dtype = ctx.info(inputs[0], layer).dtype;
  if (dtype === 'float32' && FLOAT_BINARY.has(layer.type) && inputs.every((n) => ctx.info(n, layer).dtype === 'float32')) return lowerBinary(layer, ctx);
  let op = TYPED_BINARY[layer.type];
  if (layer.type === 'Mod') op = attributeNumber(layer, 'fmod', 0) ? 'fmod' : 'mod';
  const out: NativeLayer[] = [];
  if (layer.type === 'Pow') inputs[1] = castTo(ctx, layer, inputs[1], dtype, out);
  const mean = layer.type === 'Mean' && inputs.length > 1;
  if (inputs.length === 1) return [nativeLayer(layer, 'Reshape', { shape: { ints: ctx.info(inputs[0], layer).shape.map(() => 0) } }, inputs)];
  let acc = inputs[0];
  for (let i = 1; i < inputs.length; i++) {
    const last = i === inputs.length - 1 && !mean;
    const output = last ? layer.outputs[0] : `${layer.name}__partial${i}`;
    if (!last) ctx.infos.set(output, ctx.info(layer.outputs[0], layer));
    out.push({ name: last ? layer.name : `${layer.name}__${i}`, type: 'TypedBinary', inputs: [acc, inputs[i]], outputs: [output], attrs: { op: str(op) } });
    acc = output;
  }
  if (mean) {
    if (dtype !== 'float32') throw new BuildError(`Mean of ${dtype} is not supported`, layer.name, 'KILN_UNSUPPORTED');
    const count = `${layer.name}__count`;
    ctx.network.constants.set(count, { dtype: 'float32', shape: [], data: Float32Array.of(inputs.length) });
    out.push({ name: layer.name, type: 'Binary', inputs: [acc, count], outputs: [layer.outputs[0]], attrs: { op: str('div') } });
  }
  return out;
};

/** Float32 ops of the Unary layer (which has vector code for the activations). */
const FLOAT_UNARY = new Set(['Relu', 'Sigmoid', 'Tanh', 'Exp', 'Log', 'Sqrt', 'Neg', 'Abs', 'Floor', 'Ceil', 'Reciprocal', 'HardSwish', 'LeakyRelu', 'HardSigmoid', 'Clip', 'Identity']);

const TYPED_UNARY: Record<string, string> = {
  Abs: 'abs', Neg: 'neg', Sign: 'sign', Not: 'not', Identity: 'identity', Erf: 'erf', Softplus: 'softplus', Softsign: 'softsign',
  Mish: 'mish', Round: 'round', Sin: 'sin', Cos: 'cos', Tan: 'tan', Asin: 'asin', Acos: 'acos', Atan: 'atan', Sinh: 'sinh',
  Cosh: 'cosh', Asinh: 'asinh', Acosh: 'acosh', Atanh: 'atanh', Log: 'log', IsNaN: 'isnan', IsInf: 'isinf',
};

const lowerTypedUnary: Lowering = (layer, ctx) => {
  const x = [layer.inputs[0]];
  const dtype = ctx.info(x[0], layer).dtype;
  if (layer.type === 'Clip' && dtype !== 'float32' && dtype !== 'float16') return lowerTypedClip(layer, ctx);
  // The Unary layer also names the element types it refuses for the ops only it has.
  if (FLOAT_UNARY.has(layer.type) && (dtype === 'float32' || !TYPED_UNARY[layer.type])) return lowerUnary(layer, ctx);
  const alpha = (fallback: number) => floats([attributeNumber(layer, 'alpha', fallback)]);
  switch (layer.type) {
    case 'Elu':
      return [nativeLayer(layer, 'TypedUnary', { op: str('elu'), alpha: alpha(1) }, x)];
    case 'Celu':
      return [nativeLayer(layer, 'TypedUnary', { op: str('celu'), alpha: alpha(1) }, x)];
    case 'ThresholdedRelu':
      return [nativeLayer(layer, 'TypedUnary', { op: str('thresholded_relu'), alpha: alpha(1) }, x)];
    case 'Selu':
      return [nativeLayer(layer, 'TypedUnary', { op: str('selu'), alpha: alpha(1.67326319217681884765625), beta: floats([attributeNumber(layer, 'gamma', 1.05070102214813232421875)]) }, x)];
    case 'Gelu':
      return [nativeLayer(layer, 'TypedUnary', { op: str(attributeString(layer, 'approximate', 'none') === 'tanh' ? 'gelu_tanh' : 'gelu') }, x)];
    case 'IsInf': {
      const [neg, pos] = [attributeNumber(layer, 'detect_negative', 1), attributeNumber(layer, 'detect_positive', 1)];
      if (!neg && !pos) throw new BuildError('IsInf detecting neither sign is not supported', layer.name, 'KILN_UNSUPPORTED');
      if (!neg || !pos) return lowerOneSidedIsInf(layer, ctx);
      return [nativeLayer(layer, 'TypedUnary', { op: str('isinf') }, x)];
    }
    default: {
      const op = TYPED_UNARY[layer.type];
      if (!op) throw new BuildError(`no native kernel for ${layer.type} on ${dtype}`, layer.name, 'KILN_UNSUPPORTED');
      return [nativeLayer(layer, 'TypedUnary', { op: str(op) }, x)];
    }
  }
};

const lowerWhere: Lowering = (layer) => [nativeLayer(layer, 'Where', {})];

/** Cast, and CastLike (whose second input only names the type). */
const lowerCast: Lowering = (layer) => [nativeLayer(layer, 'Cast', {}, [layer.inputs[0]])];

export const MATH_LOWERINGS: Record<string, Lowering> = {
  ...Object.fromEntries(Object.keys(TYPED_BINARY).map((op) => [op, lowerTypedBinary])),
  ...Object.fromEntries([...FLOAT_UNARY, ...Object.keys(TYPED_UNARY), 'Elu', 'Celu', 'ThresholdedRelu', 'Selu', 'Gelu'].map((op) => [op, lowerTypedUnary])),
  Where: lowerWhere,
  Cast: lowerCast,
  CastLike: lowerCast,
};
