import { describe, expect, it } from 'vitest';
import { Builder, NetworkDefinition, supportedIsas, type Tensor } from '../src/index.js';
import { f32, maxAbsDiff } from './helpers/networks.js';

/** Plain depthwise convolution (one 2-D filter per channel) with ReLU6. */
function reference(x: Tensor<'float32'>, w: Tensor<'float32'>, b: Float32Array, k: number, stride: number, pads: number[], dilation: number): { data: Float32Array; shape: number[] } {
  const [n, c, h, wd] = x.shape;
  const [pt, pl, pb, pr] = pads;
  const oh = Math.floor((h + pt + pb - dilation * (k - 1) - 1) / stride) + 1;
  const ow = Math.floor((wd + pl + pr - dilation * (k - 1) - 1) / stride) + 1;
  const out = new Float32Array(n * c * oh * ow);
  for (let b0 = 0; b0 < n; b0++)
    for (let ch = 0; ch < c; ch++)
      for (let oy = 0; oy < oh; oy++)
        for (let ox = 0; ox < ow; ox++) {
          let acc = b[ch];
          for (let ky = 0; ky < k; ky++)
            for (let kx = 0; kx < k; kx++) {
              const iy = oy * stride - pt + ky * dilation;
              const ix = ox * stride - pl + kx * dilation;
              if (iy >= 0 && iy < h && ix >= 0 && ix < wd) acc += x.data[((b0 * c + ch) * h + iy) * wd + ix] * w.data[(ch * k + ky) * k + kx];
            }
          out[((b0 * c + ch) * oh + oy) * ow + ox] = Math.min(Math.max(acc, 0), 6);
        }
  return { data: out, shape: [n, c, oh, ow] };
}

const cases = [
  { c: 5, h: 9, w: 13, k: 3, stride: 1, pads: [1, 1, 1, 1], dilation: 1 },
  { c: 7, h: 12, w: 11, k: 3, stride: 2, pads: [1, 1, 1, 1], dilation: 1 },
  { c: 3, h: 10, w: 10, k: 5, stride: 1, pads: [2, 1, 0, 2], dilation: 1 },
  { c: 4, h: 8, w: 15, k: 3, stride: 1, pads: [2, 2, 2, 2], dilation: 2 },
  { c: 16, h: 1, w: 1, k: 3, stride: 1, pads: [1, 1, 1, 1], dilation: 1 },
];

describe('depthwise convolution', () => {
  for (const { c, h, w, k, stride, pads, dilation } of cases) {
    it(`matches the reference: ${c} channels ${h}×${w}, ${k}×${k} stride ${stride} pads [${pads}] dilation ${dilation}, on every ISA`, async () => {
      const x = f32([2, c, h, w], 3);
      const weight = f32([c, 1, k, k], 4);
      const bias = f32([c], 5);
      const expected = reference(x, weight, bias.data, k, stride, pads, dilation);
      for (const isa of supportedIsas()) {
        const n = new NetworkDefinition();
        n.addInput('x', 'float32', [2, c, h, w]);
        n.addConstant('w', weight);
        n.addConstant('b', bias);
        n.addConstant('lo', { dtype: 'float32', shape: [], data: Float32Array.from([0]) });
        n.addConstant('hi', { dtype: 'float32', shape: [], data: Float32Array.from([6]) });
        n.addLayer({ name: 'dw', type: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['c'], attributes: { group: c, strides: [stride, stride], pads, dilations: [dilation, dilation] } });
        n.addLayer({ name: 'relu6', type: 'Clip', inputs: ['c', 'lo', 'hi'], outputs: ['y'], attributes: {} });
        n.markOutput('y');
        const engine = await new Builder().build(n, { isa, timeTactics: false });
        expect(engine.layers[0].tactic).toBe('depthwise-direct');
        const { y } = await engine.createContext().execute({ x });
        expect(y.shape).toEqual(expected.shape);
        expect(maxAbsDiff(y.data as Float32Array, expected.data)).toBeLessThan(1e-5);
      }
    });
  }
});
