import { describe, expect, it } from 'vitest';
import { Builder, NetworkDefinition } from '../../src/index.js';
import { fuseYoloDecode } from '../../src/optimizer/yolo-decode-fusion.js';
import { f32, i64, maxAbsDiff } from '../helpers/networks.js';

const scalar = (v: number) => ({ dtype: 'float32' as const, shape: [], data: Float32Array.from([v]) });

/** One level of YOLOv5's exported head: 3 anchors, 2 classes (K = 7), a 4×5 map. */
function head(batch: number | string = 1, convChannels = 0): NetworkDefinition {
  const n = new NetworkDefinition();
  if (convChannels) {
    // The level's 1×1 convolution in front, as in the exported model.
    n.addInput('f', 'float32', [batch, convChannels, 4, 5]);
    n.addConstant('w', f32([21, convChannels, 1, 1], 3));
    n.addConstant('b', f32([21], 4));
    n.addLayer({ name: 'conv', type: 'Conv', inputs: ['f', 'w', 'b'], outputs: ['c'], attributes: { kernel_shape: [1, 1] } });
  } else {
    n.addInput('c', 'float32', [batch, 21, 4, 5]);
  }
  n.addConstant('shape5', i64([0, 3, 7, 4, 5]));
  n.addConstant('sizes', i64([2, 2, 3]));
  n.addConstant('two', scalar(2));
  n.addConstant('stride', scalar(8));
  n.addConstant('grid', f32([1, 3, 4, 5, 2], 5));
  n.addConstant('anchor', f32([1, 3, 1, 1, 2], 6));
  n.addConstant('flat', i64([0, -1, 7]));
  const layer = (name: string, type: string, inputs: string[], outputs: string[], attributes = {}) => n.addLayer({ name, type, inputs, outputs, attributes });
  layer('reshape', 'Reshape', ['c', 'shape5'], ['r']);
  layer('transpose', 'Transpose', ['r'], ['t'], { perm: [0, 1, 3, 4, 2] });
  layer('sigmoid', 'Sigmoid', ['t'], ['s']);
  layer('split', 'Split', ['s', 'sizes'], ['xy', 'wh', 'conf'], { axis: 4 });
  layer('xy2', 'Mul', ['xy', 'two'], ['xy2']);
  layer('xyg', 'Add', ['xy2', 'grid'], ['xyg']);
  layer('xys', 'Mul', ['xyg', 'stride'], ['xys']);
  layer('wh2', 'Mul', ['wh', 'two'], ['wh2']);
  layer('whp', 'Pow', ['wh2', 'two'], ['whp']);
  layer('wha', 'Mul', ['whp', 'anchor'], ['wha']);
  layer('cat', 'Concat', ['xys', 'wha', 'conf'], ['box'], { axis: 4 });
  layer('flatten', 'Reshape', ['box', 'flat'], ['out']);
  n.markOutput('out');
  return n;
}

describe('YOLO decode fusion', () => {
  it('turns the twelve-layer decode chain into one layer', () => {
    const n = head();
    expect(fuseYoloDecode(n)).toBe(1);
    expect(n.layers.map((l) => l.type)).toEqual(['KilnYoloDecode']);
    expect(n.layers[0].outputs).toEqual(['out']);
  });

  it('computes what the chain computes, for any batch', async () => {
    const fused = await new Builder().build(head('batch'));
    expect(fused.layers.map((l) => l.type)).toEqual(['YoloDecode']);
    const apart = head('batch');
    apart.markOutput('s');
    const unfused = await new Builder().build(apart);
    expect(unfused.layers.length).toBeGreaterThan(5);
    for (const batch of [1, 2]) {
      const c = f32([batch, 21, 4, 5], 9 + batch);
      const a = await fused.createContext().execute({ c });
      const b = await unfused.createContext().execute({ c });
      expect(a.out.shape).toEqual([batch, 60, 7]);
      expect(maxAbsDiff(a.out.data as Float32Array, b.out.data as Float32Array)).toBeLessThan(1e-4);
    }
  });

  it('fuses the 1x1 convolution in front into the decode, computing what the two compute', async () => {
    const fused = await new Builder().build(head('batch', 6));
    expect(fused.layers.map((l) => l.type)).toEqual(['YoloHead']);
    // The convolution's output also an output of the network: it stays a layer of its own.
    const apart = head('batch', 6);
    apart.markOutput('c');
    const unfused = await new Builder().build(apart);
    expect(unfused.layers.map((l) => l.type)).toEqual(['Conv', 'YoloDecode']);
    for (const batch of [1, 2]) {
      const f = f32([batch, 6, 4, 5], 20 + batch);
      const a = await fused.createContext().execute({ f });
      const b = await unfused.createContext().execute({ f });
      expect(a.out.shape).toEqual([batch, 60, 7]);
      expect(maxAbsDiff(a.out.data as Float32Array, b.out.data as Float32Array)).toBeLessThan(1e-4);
    }
  });

  it('leaves a chain that differs (another multiplier) alone', () => {
    const n = head();
    n.constants.set('two', scalar(3));
    expect(fuseYoloDecode(n)).toBe(0);
    expect(n.layers).toHaveLength(12);
  });
});
