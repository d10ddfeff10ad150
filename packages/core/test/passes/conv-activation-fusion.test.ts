import { describe, expect, it } from 'vitest';
import { Builder, NetworkDefinition } from '../../src/index.js';
import { fuseConvActivations } from '../../src/optimizer/conv-activation-fusion.js';
import { convSiluNetwork, f32, maxAbsDiff } from '../helpers/networks.js';

function convThen(type: string, attributes: Record<string, number> = {}, extraInputs: string[] = []): NetworkDefinition {
  const n = new NetworkDefinition();
  n.addInput('x', 'float32', [1, 2, 5, 5]);
  n.addConstant('w', f32([3, 2, 3, 3], 4));
  n.addConstant('lo', { dtype: 'float32', shape: [], data: Float32Array.from([-0.2]) });
  n.addConstant('hi', { dtype: 'float32', shape: [], data: Float32Array.from([0.3]) });
  n.addLayer({ name: 'conv', type: 'Conv', inputs: ['x', 'w'], outputs: ['c'], attributes: { pads: [1, 1, 1, 1] } });
  n.addLayer({ name: 'act', type, inputs: ['c', ...extraInputs], outputs: ['y'], attributes });
  n.markOutput('y');
  return n;
}

describe('Conv+activation fusion', () => {
  it('fuses SiLU written as Mul(x, Sigmoid(x))', () => {
    const n = convSiluNetwork();
    expect(fuseConvActivations(n)).toBe(1);
    expect(n.layers).toHaveLength(1);
    expect(n.layers[0].attributes.activation).toBe('silu');
    expect(n.layers[0].outputs).toEqual(['y']);
  });

  const cases: [string, Record<string, number>, string[], string][] = [
    ['Relu', {}, [], 'relu'],
    ['Sigmoid', {}, [], 'sigmoid'],
    ['LeakyRelu', { alpha: 0.1 }, [], 'leaky_relu'],
    ['Clip', {}, ['lo', 'hi'], 'clip'],
    ['HardSwish', {}, [], 'hard_swish'],
    ['HardSigmoid', { alpha: 0.3, beta: 0.4 }, [], 'hard_sigmoid'],
  ];
  for (const [type, attributes, extra, activation] of cases) {
    it(`fuses ${type} and computes what the separate layers compute`, async () => {
      const fused = convThen(type, attributes, extra);
      expect(fuseConvActivations(fused)).toBe(1);
      expect(fused.layers[0].attributes.activation).toBe(activation);
      const x = f32([1, 2, 5, 5], 8);
      const engine = await new Builder().build(convThen(type, attributes, extra));
      expect(engine.layers).toHaveLength(1);
      const { y } = await engine.createContext().execute({ x });
      // The same network with the activation kept apart: a Conv whose output is also a graph output is never fused.
      const apart = convThen(type, attributes, extra);
      apart.markOutput('c');
      const unfused = await new Builder().build(apart);
      expect(unfused.layers).toHaveLength(2);
      const ref = await unfused.createContext().execute({ x });
      expect(maxAbsDiff(y.data as Float32Array, ref.y.data as Float32Array)).toBeLessThan(1e-5);
    });
  }

  it('does not fuse when the conv output has another reader', () => {
    const n = convThen('Relu');
    n.addLayer({ name: 'other', type: 'Sigmoid', inputs: ['c'], outputs: ['z'], attributes: {} });
    n.markOutput('z');
    expect(fuseConvActivations(n)).toBe(0);
  });
});
