import { describe, expect, it } from 'vitest';
import { Builder, NetworkDefinition, type Tensor } from '../../src/index.js';
import { foldConvBatchNorm } from '../../src/optimizer/conv-batchnorm-folding.js';
import { f32, maxAbsDiff, referenceConv } from '../helpers/networks.js';

function convBn(): NetworkDefinition {
  const n = new NetworkDefinition();
  n.addInput('x', 'float32', [1, 3, 6, 6]);
  n.addConstant('w', f32([5, 3, 3, 3], 2));
  n.addConstant('gamma', f32([5], 3));
  n.addConstant('beta', f32([5], 4));
  n.addConstant('mean', f32([5], 5));
  n.addConstant('var', { dtype: 'float32', shape: [5], data: Float32Array.from([0.5, 1, 1.5, 2, 2.5]) });
  n.addLayer({ name: 'conv', type: 'Conv', inputs: ['x', 'w'], outputs: ['c'], attributes: { pads: [1, 1, 1, 1] } });
  n.addLayer({ name: 'bn', type: 'BatchNormalization', inputs: ['c', 'gamma', 'beta', 'mean', 'var'], outputs: ['y'], attributes: { epsilon: 1e-3 } });
  n.markOutput('y');
  return n;
}

describe('Conv+BatchNorm folding', () => {
  it('removes the BatchNormalization and gives the conv a bias', () => {
    const n = convBn();
    expect(foldConvBatchNorm(n)).toBe(1);
    expect(n.layers.map((l) => l.type)).toEqual(['Conv']);
    expect(n.layers[0].inputs).toHaveLength(3);
    expect(n.layers[0].outputs).toEqual(['y']);
  });

  it('computes what Conv then BatchNorm compute', async () => {
    const n = convBn();
    const x = f32([1, 3, 6, 6], 11);
    const c = referenceConv(x, n.constants.get('w') as Tensor<'float32'>, new Float32Array(5), 1);
    const [g, b, m, v] = ['gamma', 'beta', 'mean', 'var'].map((k) => n.constants.get(k)!.data as Float32Array);
    const expected = c.map((value, i) => {
      const ch = Math.floor(i / 36);
      return ((value - m[ch]) / Math.sqrt(v[ch] + 1e-3)) * g[ch] + b[ch];
    });
    const engine = await new Builder().build(n);
    expect(engine.layers.map((l) => l.type)).toEqual(['Conv']);
    const { y } = await engine.createContext().execute({ x });
    expect(maxAbsDiff(y.data as Float32Array, expected)).toBeLessThan(1e-4);
  });

  it('leaves a BatchNormalization alone when the conv output has another reader', () => {
    const n = convBn();
    n.addLayer({ name: 'other', type: 'Relu', inputs: ['c'], outputs: ['r'], attributes: {} });
    n.markOutput('r');
    expect(foldConvBatchNorm(n)).toBe(0);
  });
});
