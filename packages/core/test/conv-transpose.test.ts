import { describe, expect, it } from 'vitest';
import { Builder, NetworkDefinition, supportedIsas, type AttributeValue, type Tensor } from '../src/index.js';
import { f32, maxAbsDiff, referenceConv } from './helpers/networks.js';

/** Plain 2-D transposed convolution by scattering every input pixel through the kernel. */
function reference(x: Tensor<'float32'>, w: Tensor<'float32'>, bias: Float32Array, group: number, stride: number[], pads: number[], dilation: number[], outPad: number[]) {
  const [n, cin, h, wd] = x.shape;
  const [, coutG, kh, kw] = w.shape;
  const cout = coutG * group;
  const oh = stride[0] * (h - 1) + outPad[0] + (kh - 1) * dilation[0] + 1 - pads[0] - pads[2];
  const ow = stride[1] * (wd - 1) + outPad[1] + (kw - 1) * dilation[1] + 1 - pads[1] - pads[3];
  const out = new Float32Array(n * cout * oh * ow);
  for (let b = 0; b < n; b++)
    for (let co = 0; co < cout; co++) for (let i = 0; i < oh * ow; i++) out[(b * cout + co) * oh * ow + i] = bias[co];
  const cinG = cin / group;
  for (let b = 0; b < n; b++)
    for (let ci = 0; ci < cin; ci++) {
      const g = Math.floor(ci / cinG);
      for (let iy = 0; iy < h; iy++)
        for (let ix = 0; ix < wd; ix++)
          for (let c = 0; c < coutG; c++)
            for (let ky = 0; ky < kh; ky++)
              for (let kx = 0; kx < kw; kx++) {
                const oy = iy * stride[0] - pads[0] + ky * dilation[0];
                const ox = ix * stride[1] - pads[1] + kx * dilation[1];
                if (oy < 0 || oy >= oh || ox < 0 || ox >= ow) continue;
                out[((b * cout + g * coutG + c) * oh + oy) * ow + ox] += x.data[((b * cin + ci) * h + iy) * wd + ix] * w.data[((ci * coutG + c) * kh + ky) * kw + kx];
              }
    }
  return { data: out, shape: [n, cout, oh, ow] };
}

const cases = [
  { cin: 3, coutG: 5, group: 1, h: 5, w: 7, k: 3, stride: [2, 2], pads: [1, 1, 1, 1], dilation: [1, 1], outPad: [1, 0] },
  { cin: 4, coutG: 3, group: 2, h: 6, w: 4, k: 2, stride: [2, 3], pads: [0, 1, 0, 0], dilation: [1, 1], outPad: [0, 0] },
  { cin: 2, coutG: 2, group: 1, h: 4, w: 5, k: 3, stride: [1, 1], pads: [2, 1, 0, 2], dilation: [2, 1], outPad: [0, 0] },
];

describe('ConvTranspose', () => {
  for (const c of cases) {
    it(`matches the reference: ${JSON.stringify(c)}`, async () => {
      const x = f32([2, c.cin, c.h, c.w], 1);
      const w = f32([c.cin, c.coutG, c.k, c.k], 2);
      const b = f32([c.coutG * c.group], 3);
      const expected = reference(x, w, b.data, c.group, c.stride, c.pads, c.dilation, c.outPad);
      for (const isa of supportedIsas()) {
        const n = new NetworkDefinition();
        n.addInput('x', 'float32', x.shape);
        n.addConstant('w', w);
        n.addConstant('b', b);
        const attributes: Record<string, AttributeValue> = { group: c.group, strides: c.stride, pads: c.pads, dilations: c.dilation, output_padding: c.outPad, kernel_shape: [c.k, c.k] };
        n.addLayer({ name: 'ct', type: 'ConvTranspose', inputs: ['x', 'w', 'b'], outputs: ['y'], attributes });
        n.markOutput('y');
        const { y } = await (await new Builder().build(n, { isa })).createContext().execute({ x });
        expect(y.shape).toEqual(expected.shape);
        expect(maxAbsDiff(y.data as Float32Array, expected.data)).toBeLessThan(1e-5);
      }
    });
  }
});

describe('Conv with weights computed at run time', () => {
  it('matches the reference and fuses its activation', async () => {
    const x = f32([2, 3, 6, 7], 4);
    const w = f32([4, 3, 3, 3], 5);
    const bias = f32([4], 6);
    const n = new NetworkDefinition();
    n.addInput('x', 'float32', x.shape);
    n.addInput('w', 'float32', w.shape);
    n.addConstant('b', bias);
    n.addLayer({ name: 'conv', type: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['c'], attributes: { pads: [1, 1, 1, 1] } });
    n.addLayer({ name: 'relu', type: 'Relu', inputs: ['c'], outputs: ['y'], attributes: {} });
    n.markOutput('y');
    const engine = await new Builder().build(n);
    expect(engine.layers.map((l) => l.type)).toEqual(['ConvDynamic']);
    const { y } = await engine.createContext().execute({ x, w });
    expect(maxAbsDiff(y.data as Float32Array, referenceConv(x, w, bias.data, 1).map((v) => Math.max(v, 0)))).toBeLessThan(1e-5);
  });
});
