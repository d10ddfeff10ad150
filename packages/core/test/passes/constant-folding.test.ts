import { describe, expect, it } from 'vitest';
import { NetworkDefinition, toNumbers } from '../../src/index.js';
import { foldConstants } from '../../src/optimizer/constant-folding.js';
import { eliminateDeadLayers } from '../../src/optimizer/dead-layer-elimination.js';
import { i64 } from '../helpers/networks.js';

/** x → Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), [-1])) : the flatten YOLOv5 exports. */
function shapeChain(batch: number | string): NetworkDefinition {
  const n = new NetworkDefinition();
  n.addInput('x', 'float32', [batch, 3, 4]);
  n.addConstant('zero', { dtype: 'int64', shape: [], data: BigInt64Array.from([0n]) });
  n.addConstant('axes', i64([0]));
  n.addConstant('minus1', i64([-1]));
  n.addLayer({ name: 'shape', type: 'Shape', inputs: ['x'], outputs: ['s'], attributes: {} });
  n.addLayer({ name: 'gather', type: 'Gather', inputs: ['s', 'zero'], outputs: ['b'], attributes: { axis: 0 } });
  n.addLayer({ name: 'unsqueeze', type: 'Unsqueeze', inputs: ['b', 'axes'], outputs: ['b1'], attributes: {} });
  n.addLayer({ name: 'concat', type: 'Concat', inputs: ['b1', 'minus1'], outputs: ['target'], attributes: { axis: 0 } });
  n.addLayer({ name: 'reshape', type: 'Reshape', inputs: ['x', 'target'], outputs: ['y'], attributes: { allowzero: 0 } });
  n.markOutput('y');
  return n;
}

describe('constant folding', () => {
  it('folds a Shape → Gather → Unsqueeze → Concat chain over a static shape into a constant', () => {
    const n = shapeChain(2);
    expect(foldConstants(n)).toBe(4);
    eliminateDeadLayers(n);
    expect(n.layers.map((l) => l.type)).toEqual(['Reshape']);
    expect(toNumbers(n.constants.get(n.layers[0].inputs[1])!)).toEqual([2, -1]);
  });

  it('rewrites a Reshape fed by a symbolic batch to copy that dimension', () => {
    const n = shapeChain('batch');
    foldConstants(n);
    eliminateDeadLayers(n);
    expect(n.layers.map((l) => l.type)).toEqual(['Reshape']);
    expect(toNumbers(n.constants.get(n.layers[0].inputs[1])!)).toEqual([0, -1]);
  });

  it('folds arithmetic, Cast and Floor on constants', () => {
    const n = new NetworkDefinition();
    n.addInput('x', 'float32', [1, 2]);
    n.addConstant('a', { dtype: 'float32', shape: [2], data: Float32Array.from([1.5, 2.5]) });
    n.addConstant('two', { dtype: 'float32', shape: [], data: Float32Array.from([2]) });
    n.addLayer({ name: 'mul', type: 'Mul', inputs: ['a', 'two'], outputs: ['m'], attributes: {} });
    n.addLayer({ name: 'floor', type: 'Floor', inputs: ['m'], outputs: ['f'], attributes: {} });
    n.addLayer({ name: 'cast', type: 'Cast', inputs: ['f'], outputs: ['c'], attributes: { to: 'int64' } });
    n.addLayer({ name: 'castback', type: 'Cast', inputs: ['c'], outputs: ['k'], attributes: { to: 'float32' } });
    n.addLayer({ name: 'add', type: 'Add', inputs: ['x', 'k'], outputs: ['y'], attributes: {} });
    n.markOutput('y');
    expect(foldConstants(n)).toBe(4);
    expect(n.layers.map((l) => l.name)).toEqual(['add']);
    expect(Array.from(n.constants.get('k')!.data as Float32Array)).toEqual([3, 5]);
    expect(n.constants.get('c')!.dtype).toBe('int64');
  });

  it('folds the integer Mod, And and Where of grouped-query head counts, and CastLike of a constant', () => {
    const n = new NetworkDefinition();
    n.addInput('x', 'float32', [1, 2]);
    n.addConstant('heads', i64([8]));
    n.addConstant('kv_heads', i64([3]));
    n.addConstant('zero', i64([0]));
    n.addConstant('neg_inf', { dtype: 'float32', shape: [], data: Float32Array.from([-Infinity]) });
    n.addLayer({ name: 'mod', type: 'Mod', inputs: ['heads', 'kv_heads'], outputs: ['rem'], attributes: { fmod: 0 } });
    n.addLayer({ name: 'even', type: 'Equal', inputs: ['rem', 'zero'], outputs: ['divides'], attributes: {} });
    n.addLayer({ name: 'ne', type: 'Not', inputs: ['divides'], outputs: ['uneven'], attributes: {} });
    n.addLayer({ name: 'and', type: 'And', inputs: ['uneven', 'uneven'], outputs: ['both'], attributes: {} });
    n.addLayer({ name: 'where', type: 'Where', inputs: ['both', 'rem', 'zero'], outputs: ['picked'], attributes: {} });
    n.addLayer({ name: 'castlike', type: 'CastLike', inputs: ['neg_inf', 'x'], outputs: ['neg_inf_like'], attributes: {} });
    n.addLayer({ name: 'add', type: 'Add', inputs: ['x', 'neg_inf_like'], outputs: ['y'], attributes: {} });
    n.markOutput('y');
    n.markOutput('picked');
    foldConstants(n);
    expect(n.layers.map((l) => l.name)).toEqual(['add']);
    expect(toNumbers(n.constants.get('rem')!)).toEqual([2]);
    expect(toNumbers(n.constants.get('picked')!)).toEqual([2]);
    expect(n.constants.get('neg_inf_like')!.dtype).toBe('float32');
  });

  it('folds Mod with the sign of the divisor', () => {
    const n = new NetworkDefinition();
    n.addConstant('a', i64([-7, 7]));
    n.addConstant('b', i64([3, -3]));
    n.addLayer({ name: 'mod', type: 'Mod', inputs: ['a', 'b'], outputs: ['y'], attributes: { fmod: 0 } });
    n.markOutput('y');
    foldConstants(n);
    expect(toNumbers(n.constants.get('y')!)).toEqual([2, -2]);
  });

  it('leaves layers that depend on run-time data alone', () => {
    const n = shapeChain(2);
    n.addLayer({ name: 'sig', type: 'Sigmoid', inputs: ['y'], outputs: ['z'], attributes: {} });
    n.markOutput('z');
    foldConstants(n);
    expect(n.layers.map((l) => l.name)).toEqual(['reshape', 'sig']);
  });
});
