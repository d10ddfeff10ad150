import { describe, expect, it } from 'vitest';
import { NetworkDefinition } from '../../src/index.js';
import { elideIdentities } from '../../src/optimizer/identity-elision.js';
import { i64 } from '../helpers/networks.js';

describe('identity and reshape elision', () => {
  it('removes Identity and Dropout, rewiring their readers', () => {
    const n = new NetworkDefinition();
    n.addInput('x', 'float32', [2, 3]);
    n.addLayer({ name: 'id', type: 'Identity', inputs: ['x'], outputs: ['a'], attributes: {} });
    n.addLayer({ name: 'drop', type: 'Dropout', inputs: ['a'], outputs: ['b'], attributes: {} });
    n.addLayer({ name: 'relu', type: 'Relu', inputs: ['b'], outputs: ['y'], attributes: {} });
    n.markOutput('y');
    expect(elideIdentities(n)).toBe(2);
    expect(n.layers.map((l) => l.name)).toEqual(['relu']);
    expect(n.layers[0].inputs).toEqual(['x']);
  });

  it('removes a Reshape to the same shape and merges Reshape chains', () => {
    const n = new NetworkDefinition();
    n.addInput('x', 'float32', [2, 3, 4]);
    n.addConstant('same', i64([2, 3, 4]));
    n.addConstant('flat', i64([2, 12]));
    n.addConstant('back', i64([6, 4]));
    n.addLayer({ name: 'r0', type: 'Reshape', inputs: ['x', 'same'], outputs: ['a'], attributes: {} });
    n.addLayer({ name: 'r1', type: 'Reshape', inputs: ['a', 'flat'], outputs: ['b'], attributes: {} });
    n.addLayer({ name: 'r2', type: 'Reshape', inputs: ['b', 'back'], outputs: ['y'], attributes: {} });
    n.markOutput('y');
    expect(elideIdentities(n)).toBe(2);
    expect(n.layers.map((l) => l.name)).toEqual(['r2']);
    expect(n.layers[0].inputs[0]).toBe('x');
  });

  it('keeps the graph output name when the Identity writes a graph output', () => {
    const n = new NetworkDefinition();
    n.addInput('x', 'float32', [2]);
    n.addLayer({ name: 'relu', type: 'Relu', inputs: ['x'], outputs: ['r'], attributes: {} });
    n.addLayer({ name: 'id', type: 'Identity', inputs: ['r'], outputs: ['y'], attributes: {} });
    n.markOutput('y');
    expect(elideIdentities(n)).toBe(1);
    expect(n.layers.map((l) => l.outputs[0])).toEqual(['y']);
  });
});
