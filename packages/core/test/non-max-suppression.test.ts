import { describe, expect, it } from 'vitest';
import { Builder, NetworkDefinition } from '../src/index.js';

function nms(markOutput = true): NetworkDefinition {
  const n = new NetworkDefinition();
  n.addInput('boxes', 'float32', [1, 5, 4]);
  n.addInput('scores', 'float32', [1, 2, 5]);
  n.addConstant('max', { dtype: 'int64', shape: [1], data: BigInt64Array.from([2n]) });
  n.addConstant('iou', { dtype: 'float32', shape: [1], data: Float32Array.from([0.5]) });
  n.addConstant('score', { dtype: 'float32', shape: [1], data: Float32Array.from([0.2]) });
  n.addLayer({ name: 'nms', type: 'NonMaxSuppression', inputs: ['boxes', 'scores', 'max', 'iou', 'score'], outputs: ['selected'], attributes: { center_point_box: 0 } });
  if (markOutput) n.markOutput('selected');
  return n;
}

describe('NonMaxSuppression', () => {
  it('returns only the rows it selected, per class, in score order', async () => {
    const ctx = (await new Builder().build(nms())).createContext();
    // Boxes 0 and 1 overlap (IoU 0.81); box 2 is apart; box 3 scores below the threshold; box 4 apart.
    const boxes = Float32Array.from([0, 0, 10, 10, 0, 1, 10, 10, 20, 20, 30, 30, 40, 40, 50, 50, 60, 60, 70, 70]);
    const scores = Float32Array.from([0.9, 0.8, 0.7, 0.1, 0.3, /* class 1 */ 0.1, 0.1, 0.6, 0.1, 0.9]);
    const { selected } = await ctx.execute({ boxes: { dtype: 'float32', shape: [1, 5, 4], data: boxes }, scores: { dtype: 'float32', shape: [1, 2, 5], data: scores } });
    expect(selected.dtype).toBe('int64');
    expect(selected.shape).toEqual([4, 3]);
    expect(Array.from(selected.data as BigInt64Array, Number)).toEqual([0, 0, 0, 0, 0, 2, 0, 1, 4, 0, 1, 2]);
  });

  it('must be a graph output, since its length depends on the data', async () => {
    const n = nms(false);
    n.addLayer({ name: 'next', type: 'Identity', inputs: ['selected'], outputs: ['y'], attributes: {} });
    n.markOutput('y');
    n.markOutput('selected');
    await expect(new Builder().build(n)).rejects.toThrow(/data-dependent length and must be a graph output/);
  });
});
