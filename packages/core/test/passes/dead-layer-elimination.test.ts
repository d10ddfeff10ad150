import { describe, expect, it } from 'vitest';
import { NetworkDefinition } from '../../src/index.js';
import { eliminateDeadLayers } from '../../src/optimizer/dead-layer-elimination.js';
import { f32 } from '../helpers/networks.js';

describe('dead-layer elimination', () => {
  it('removes layers and constants that do not reach an output, keeping the rest in order', () => {
    const n = new NetworkDefinition();
    n.addInput('x', 'float32', [4]);
    n.addConstant('used', f32([4]));
    n.addConstant('unused', f32([4]));
    n.addLayer({ name: 'a', type: 'Add', inputs: ['x', 'used'], outputs: ['a'], attributes: {} });
    n.addLayer({ name: 'dead1', type: 'Mul', inputs: ['a', 'unused'], outputs: ['d1'], attributes: {} });
    n.addLayer({ name: 'dead2', type: 'Relu', inputs: ['d1'], outputs: ['d2'], attributes: {} });
    n.addLayer({ name: 'b', type: 'Relu', inputs: ['a'], outputs: ['y'], attributes: {} });
    n.markOutput('y');
    expect(eliminateDeadLayers(n)).toBe(2);
    expect(n.layers.map((l) => l.name)).toEqual(['a', 'b']);
    expect([...n.constants.keys()]).toEqual(['used']);
  });

  it('keeps a multi-output layer when any of its outputs is used', () => {
    const n = new NetworkDefinition();
    n.addInput('x', 'float32', [4]);
    n.addConstant('sizes', { dtype: 'int64', shape: [2], data: BigInt64Array.from([2n, 2n]) });
    n.addLayer({ name: 'split', type: 'Split', inputs: ['x', 'sizes'], outputs: ['p', 'q'], attributes: { axis: 0 } });
    n.markOutput('q');
    expect(eliminateDeadLayers(n)).toBe(0);
    expect(n.layers).toHaveLength(1);
  });
});
