import { describe, expect, it } from 'vitest';
import { Builder, NetworkDefinition } from '../src/index.js';
import { f32, maxAbsDiff } from './helpers/networks.js';

describe('LayerNormalization with its Mean and InvStdDev outputs', () => {
  it('matches a plain reference over the last two axes', async () => {
    const x = f32([2, 3, 4, 5], 7);
    const n = new NetworkDefinition();
    n.addInput('x', 'float32', x.shape);
    n.addConstant('scale', f32([4, 5], 8));
    n.addConstant('bias', f32([4, 5], 9));
    n.addLayer({ name: 'ln', type: 'LayerNormalization', inputs: ['x', 'scale', 'bias'], outputs: ['y', 'mean', 'inv'], attributes: { axis: -2, epsilon: 1e-3 } });
    ['y', 'mean', 'inv'].forEach((o) => n.markOutput(o));
    const out = await (await new Builder().build(n)).createContext().execute({ x });
    const scale = n.constants.get('scale')!.data as Float32Array;
    const bias = n.constants.get('bias')!.data as Float32Array;
    const y = new Float32Array(120);
    const means = new Float32Array(6);
    const invs = new Float32Array(6);
    for (let o = 0; o < 6; o++) {
      const row = x.data.subarray(o * 20, o * 20 + 20);
      const mean = row.reduce((a, b) => a + b, 0) / 20;
      const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / 20;
      means[o] = mean;
      invs[o] = 1 / Math.sqrt(variance + 1e-3);
      row.forEach((v, i) => (y[o * 20 + i] = (v - mean) * invs[o] * scale[i] + bias[i]));
    }
    expect(out.mean.shape).toEqual([2, 3, 1, 1]);
    expect(out.inv.shape).toEqual([2, 3, 1, 1]);
    expect(maxAbsDiff(out.y.data as Float32Array, y)).toBeLessThan(1e-5);
    expect(maxAbsDiff(out.mean.data as Float32Array, means)).toBeLessThan(1e-6);
    expect(maxAbsDiff(out.inv.data as Float32Array, invs)).toBeLessThan(1e-4);
  });
});
