import { describe, expect, it } from 'vitest';
import { Builder, NetworkDefinition } from '../src/index.js';
import { f32, i64 } from './helpers/networks.js';

/**
 * Concat, Split and Reshape store their data inside other tensors when nothing lies outside
 * their axis (batch 1), and copy otherwise (batch 2). Both must compute the same thing.
 */
function network(): NetworkDefinition {
  const n = new NetworkDefinition();
  n.addInput('x', 'float32', ['batch', 3, 6, 6]);
  n.addConstant('w1', f32([4, 3, 1, 1], 1));
  n.addConstant('w2', f32([5, 4, 3, 3], 2));
  n.addConstant('sizes', i64([6, 3]));
  n.addConstant('flat', i64([0, -1]));
  n.addLayer({ name: 'a', type: 'Conv', inputs: ['x', 'w1'], outputs: ['a'], attributes: {} });
  n.addLayer({ name: 'b', type: 'Conv', inputs: ['a', 'w2'], outputs: ['b'], attributes: { pads: [1, 1, 1, 1] } });
  n.addLayer({ name: 'cat', type: 'Concat', inputs: ['a', 'b'], outputs: ['c'], attributes: { axis: 1 } });
  n.addLayer({ name: 'reuse', type: 'Relu', inputs: ['a'], outputs: ['r'], attributes: {} });
  n.addLayer({ name: 'split', type: 'Split', inputs: ['c', 'sizes'], outputs: ['p', 'q'], attributes: { axis: 1 } });
  n.addLayer({ name: 'flatten', type: 'Reshape', inputs: ['p', 'flat'], outputs: ['y'], attributes: {} });
  n.addLayer({ name: 'cat2', type: 'Concat', inputs: ['q', 'r', 'q'], outputs: ['z'], attributes: { axis: 1 } });
  n.markOutput('y');
  n.markOutput('z');
  n.markOutput('c');
  return n;
}

describe('tensors stored inside others', () => {
  it('give the same results as copies', async () => {
    const engine = await new Builder().build(network(), { threads: 2 });
    const ctx = engine.createContext();
    const x2 = f32([2, 3, 6, 6], 9);
    const two = await ctx.execute({ x: x2 });
    const x1 = { ...x2, shape: [1, 3, 6, 6], data: x2.data.slice(0, 108) };
    const one = await ctx.execute({ x: x1 });
    for (const name of ['y', 'z', 'c']) {
      const perItem = one[name].data.length;
      expect(two[name].data.length).toBe(2 * perItem);
      expect(Array.from(one[name].data as Float32Array), name).toEqual(Array.from((two[name].data as Float32Array).slice(0, perItem)));
    }
    expect(one.y.shape).toEqual([1, 216]);
    expect(one.z.shape).toEqual([1, 10, 6, 6]);
  });
});
