import { BuildError } from '../../errors.js';
import { attributeNumber, type Layer } from '../../network/layer.js';
import type { NativeLayer } from '../../native.js';
import { floats, nativeLayer, str, type Lowering, type LoweringContext } from './context.js';

const BINARY: Record<string, string> = { Add: 'add', Sub: 'sub', Mul: 'mul', Div: 'div', Pow: 'pow', Max: 'max', Min: 'min', Sum: 'add' };

const UNARY: Record<string, string> = {
  Identity: 'identity', Relu: 'relu', Sigmoid: 'sigmoid', Tanh: 'tanh', Exp: 'exp', Log: 'log', Sqrt: 'sqrt',
  Neg: 'neg', Abs: 'abs', Floor: 'floor', Ceil: 'ceil', Reciprocal: 'reciprocal', HardSwish: 'hard_swish', Dropout: 'identity',
};

/** Binary ops; variadic Max/Min/Sum become a chain of binary layers. */
export const lowerBinary: Lowering = (layer, ctx) => {
  const inputs = layer.inputs.filter((n) => n !== '');
  if (inputs.length === 1) return [nativeLayer(layer, 'Unary', { op: str('identity') }, inputs)];
  const op = BINARY[layer.type];
  const out: NativeLayer[] = [];
  let acc = inputs[0];
  for (let i = 1; i < inputs.length; i++) {
    const last = i === inputs.length - 1;
    const output = last ? layer.outputs[0] : `${layer.name}__partial${i}`;
    if (!last) ctx.infos.set(output, ctx.info(layer.outputs[0], layer));
    out.push({ name: last ? layer.name : `${layer.name}__${i}`, type: 'Binary', inputs: [acc, inputs[i]], outputs: [output], attrs: { op: str(op) } });
    acc = output;
  }
  return out;
};

function clipBound(ctx: LoweringContext, layer: Layer, index: number, fallback: number): number {
  const values = ctx.optionalConstantNumbers(layer, index, index === 1 ? 'Clip min' : 'Clip max');
  return values ? values[0] : fallback;
}

export const lowerUnary: Lowering = (layer, ctx) => {
  const x = [layer.inputs[0]];
  switch (layer.type) {
    case 'LeakyRelu':
      return [nativeLayer(layer, 'Unary', { op: str('leaky_relu'), alpha: floats([attributeNumber(layer, 'alpha', 0.01)]) }, x)];
    case 'HardSigmoid':
      return [nativeLayer(layer, 'Unary', { op: str('hard_sigmoid'), alpha: floats([attributeNumber(layer, 'alpha', 0.2)]), beta: floats([attributeNumber(layer, 'beta', 0.5)]) }, x)];
    case 'Clip':
      return [nativeLayer(layer, 'Unary', { op: str('clip'), alpha: floats([clipBound(ctx, layer, 1, -3.4e38)]), beta: floats([clipBound(ctx, layer, 2, 3.4e38)]) }, x)];
    default: {
      const op = UNARY[layer.type];
      if (!op) throw new BuildError(`no native kernel for ${layer.type}`, layer.name, 'KILN_UNSUPPORTED');
      return [nativeLayer(layer, 'Unary', { op: str(op) }, x)];
    }
  }
};

/** Inference-mode BatchNormalization that was not folded into a Conv: y = x·a + b per channel. */
export const lowerBatchNorm: Lowering = (layer, ctx) => {
  const [scale, shift, mean, variance] = [1, 2, 3, 4].map((i) => ctx.constantNumbers(layer, i, 'BatchNormalization parameters'));
  const epsilon = attributeNumber(layer, 'epsilon', 1e-5);
  const rank = ctx.info(layer.inputs[0], layer).shape.length;
  const channels = scale.length;
  const a = new Float32Array(channels);
  const b = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    a[c] = scale[c] / Math.sqrt(variance[c] + epsilon);
    b[c] = shift[c] - mean[c] * a[c];
  }
  if (layer.outputs.filter((n) => n !== '').length !== 1) throw new BuildError('training-mode BatchNormalization outputs are not supported', layer.name, 'KILN_UNSUPPORTED');
  const shape = [channels, ...new Array(Math.max(0, rank - 2)).fill(1)];
  const aName = `${layer.name}__scale`;
  const bName = `${layer.name}__shift`;
  ctx.network.constants.set(aName, { dtype: 'float32', shape, data: a });
  ctx.network.constants.set(bName, { dtype: 'float32', shape, data: b });
  const mid = `${layer.name}__scaled`;
  ctx.infos.set(mid, ctx.info(layer.outputs[0], layer));
  return [
    { name: `${layer.name}__mul`, type: 'Binary', inputs: [layer.inputs[0], aName], outputs: [mid], attrs: { op: str('mul') } },
    { name: layer.name, type: 'Binary', inputs: [mid, bName], outputs: [layer.outputs[0]], attrs: { op: str('add') } },
  ];
};

export const ELEMENTWISE_LOWERINGS: Record<string, Lowering> = {
  ...Object.fromEntries(Object.keys(BINARY).map((op) => [op, lowerBinary])),
  ...Object.fromEntries([...Object.keys(UNARY), 'LeakyRelu', 'HardSigmoid', 'Clip'].map((op) => [op, lowerUnary])),
  BatchNormalization: lowerBatchNorm,
};
