import { describe, expect, it } from 'vitest';
import { lowerNetwork } from '../src/builder/lowering/index.js';
import { Builder, Logger, NetworkDefinition, optimizeNetwork, supportedIsas, type Engine, type Tensor } from '../src/index.js';
import { analyze } from '../src/optimizer/analysis/analyze.js';
import { fuseBottlenecks } from '../src/optimizer/bottleneck-fusion.js';
import { blockChannels } from '../src/optimizer/channel-blocking.js';
import { fuseConvResidualAdds } from '../src/optimizer/conv-residual-add-fusion.js';
import { f32, maxAbsDiff } from './helpers/networks.js';

interface Nchw {
  data: Float32Array;
  shape: number[];
}

/** Plain grouped 2-D convolution, square kernel, symmetric padding. */
function conv(x: Nchw, w: Tensor<'float32'>, b: Float32Array, group: number, stride: number, pad: number): Nchw {
  const [n, cin, h, wd] = x.shape;
  const [cout, cinG, k] = w.shape;
  const oh = Math.floor((h + 2 * pad - k) / stride) + 1;
  const ow = Math.floor((wd + 2 * pad - k) / stride) + 1;
  const coutG = cout / group;
  const out = new Float32Array(n * cout * oh * ow);
  for (let b0 = 0; b0 < n; b0++)
    for (let co = 0; co < cout; co++)
      for (let oy = 0; oy < oh; oy++)
        for (let ox = 0; ox < ow; ox++) {
          let acc = b[co];
          const g = Math.floor(co / coutG);
          for (let ci = 0; ci < cinG; ci++)
            for (let ky = 0; ky < k; ky++)
              for (let kx = 0; kx < k; kx++) {
                const iy = oy * stride - pad + ky;
                const ix = ox * stride - pad + kx;
                if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                acc += x.data[((b0 * cin + g * cinG + ci) * h + iy) * wd + ix] * w.data[((co * cinG + ci) * k + ky) * k + kx];
              }
          out[((b0 * cout + co) * oh + oy) * ow + ox] = acc;
        }
  return { data: out, shape: [n, cout, oh, ow] };
}
const relu6 = (x: Nchw): Nchw => ({ data: x.data.map((v) => Math.min(Math.max(v, 0), 6)), shape: x.shape });
const add = (a: Nchw, b: Nchw): Nchw => ({ data: a.data.map((v, i) => v + b.data[i]), shape: a.shape });
function globalAverage(x: Nchw): Nchw {
  const [n, c, h, w] = x.shape;
  const out = new Float32Array(n * c);
  for (let i = 0; i < n * c; i++) {
    let s = 0;
    for (let p = 0; p < h * w; p++) s += x.data[i * h * w + p];
    out[i] = s / (h * w);
  }
  return { data: out, shape: [n, c, 1, 1] };
}

/**
 * Three MobileNetV2 blocks on odd channel counts: expand 12→36 and 12→24, depthwise, project back
 * with the residual; expand 12→40, depthwise stride 2, project to 20. The first expansion and
 * residual sum are also read outside the chain (a graph output, a global average pool). Fused as
 * bottlenecks: the first without its expansion (a graph output) with the residual, the second with
 * both, the third with its expansion and stride 2.
 */
function mobileBlocks(batch: number, h: number, w: number, stem: boolean) {
  const stemWeights = { s: f32([12, 3, 3, 3], 13), sb: f32([12], 14) };
  const weights = {
    e1: f32([36, 12, 1, 1], 1), e1b: f32([36], 2), d1: f32([36, 1, 3, 3], 3), d1b: f32([36], 4), p1: f32([12, 36, 1, 1], 5), p1b: f32([12], 6),
    e3: f32([24, 12, 1, 1], 15), e3b: f32([24], 16), d3: f32([24, 1, 3, 3], 17), d3b: f32([24], 18), p3: f32([12, 24, 1, 1], 19), p3b: f32([12], 20),
    e2: f32([40, 12, 1, 1], 7), e2b: f32([40], 8), d2: f32([40, 1, 3, 3], 9), d2b: f32([40], 10), p2: f32([20, 40, 1, 1], 11), p2b: f32([20], 12),
  };
  const n = new NetworkDefinition();
  const imageShape = [batch, 3, 2 * h - 1, 2 * w];
  if (stem) n.addInput('image', 'float32', imageShape);
  else n.addInput('x', 'float32', [batch, 12, h, w]);
  for (const [name, t] of Object.entries({ ...weights, ...(stem ? stemWeights : {}) })) n.addConstant(name, t);
  n.addConstant('lo', { dtype: 'float32', shape: [], data: Float32Array.from([0]) });
  n.addConstant('hi', { dtype: 'float32', shape: [], data: Float32Array.from([6]) });
  const convLayer = (name: string, input: string, out: string, group: number, stride: number, pad: number) =>
    n.addLayer({ name, type: 'Conv', inputs: [input, name, `${name}b`], outputs: [out], attributes: { group, strides: [stride, stride], pads: [pad, pad, pad, pad], dilations: [1, 1] } });
  const clip = (input: string, out: string) => n.addLayer({ name: `${out}_clip`, type: 'Clip', inputs: [input, 'lo', 'hi'], outputs: [out], attributes: {} });
  if (stem) {
    convLayer('s', 'image', 'sc', 1, 2, 1);
    clip('sc', 'x');
  }
  convLayer('e1', 'x', 'e1c', 1, 1, 0);
  clip('e1c', 'expanded');
  convLayer('d1', 'expanded', 'd1c', 36, 1, 1);
  clip('d1c', 'd1o');
  convLayer('p1', 'd1o', 'p1o', 1, 1, 0);
  n.addLayer({ name: 'residual', type: 'Add', inputs: ['p1o', 'x'], outputs: ['sum'], attributes: {} });
  n.addLayer({ name: 'pool', type: 'GlobalAveragePool', inputs: ['sum'], outputs: ['pooled'], attributes: {} });
  convLayer('e3', 'sum', 'e3c', 1, 1, 0);
  clip('e3c', 'e3o');
  convLayer('d3', 'e3o', 'd3c', 24, 1, 1);
  clip('d3c', 'd3o');
  convLayer('p3', 'd3o', 'p3o', 1, 1, 0);
  n.addLayer({ name: 'residual3', type: 'Add', inputs: ['p3o', 'sum'], outputs: ['sum3'], attributes: {} });
  convLayer('e2', 'sum3', 'e2c', 1, 1, 0);
  clip('e2c', 'e2o');
  convLayer('d2', 'e2o', 'd2c', 40, 2, 1);
  clip('d2c', 'd2o');
  convLayer('p2', 'd2o', 'y', 1, 1, 0);
  for (const out of ['y', 'expanded', 'pooled']) n.markOutput(out);

  const reference = (input: Nchw) => {
    const x = stem ? relu6(conv(input, stemWeights.s, stemWeights.sb.data, 1, 2, 1)) : input;
    const expanded = relu6(conv(x, weights.e1, weights.e1b.data, 1, 1, 0));
    const d1 = relu6(conv(expanded, weights.d1, weights.d1b.data, 36, 1, 1));
    const sum = add(conv(d1, weights.p1, weights.p1b.data, 1, 1, 0), x);
    const e3 = relu6(conv(sum, weights.e3, weights.e3b.data, 1, 1, 0));
    const d3 = relu6(conv(e3, weights.d3, weights.d3b.data, 24, 1, 1));
    const sum3 = add(conv(d3, weights.p3, weights.p3b.data, 1, 1, 0), sum);
    const e2 = relu6(conv(sum3, weights.e2, weights.e2b.data, 1, 1, 0));
    const d2 = relu6(conv(e2, weights.d2, weights.d2b.data, 40, 2, 1));
    return { y: conv(d2, weights.p2, weights.p2b.data, 1, 1, 0), expanded, pooled: globalAverage(sum) };
  };
  return { network: n, reference, inputShape: stem ? imageShape : [batch, 12, h, w], inputName: stem ? 'image' : 'x' };
}

/** A chain of Conv + Clip(0, 6) layers from 'images' to 'y': [name, input, output, weights [cout, cin / group, k, k], stride, pad, group]. */
function clippedConvs(inputShape: number[], seed: number, convs: [string, string, string, number[], number, number, number][]): NetworkDefinition {
  const n = new NetworkDefinition();
  n.addInput('images', 'float32', inputShape);
  n.addConstant('lo', { dtype: 'float32', shape: [], data: Float32Array.from([0]) });
  n.addConstant('hi', { dtype: 'float32', shape: [], data: Float32Array.from([6]) });
  for (const [i, [name, input, output, shape, stride, pad, group]] of convs.entries()) {
    n.addConstant(name, f32(shape, seed + i));
    n.addConstant(`${name}b`, f32([shape[0]], seed + 20 + i));
    n.addLayer({ name, type: 'Conv', inputs: [input, name, `${name}b`], outputs: [`${output}_c`], attributes: { strides: [stride, stride], pads: [pad, pad, pad, pad], group } });
    n.addLayer({ name: `${name}_clip`, type: 'Clip', inputs: [`${output}_c`, 'lo', 'hi'], outputs: [output], attributes: {} });
  }
  n.markOutput('y');
  return n;
}

/**
 * On every ISA, untimed: the blocked engine (checked by `check`) gives the all-NCHW engine's y. Its
 * convolutions of up to 144 taps on values up to 6, summed in other orders, land ~3e-5 of the
 * largest |y| apart; a wrong row or tap is off by far more.
 */
async function expectBlockedMatchesNchw(n: NetworkDefinition, images: Tensor, check: (engine: Engine) => void): Promise<void> {
  for (const isa of supportedIsas()) {
    const want = (await (await new Builder().build(n, { isa, timeTactics: false, layout: 'nchw' })).createContext().execute({ images })).y;
    const blocked = await new Builder().build(n, { isa, timeTactics: false, layout: 'blocked' });
    check(blocked);
    const got = (await blocked.createContext().execute({ images })).y;
    expect(got.shape).toEqual(want.shape);
    const scale = Math.max(...(want.data as Float32Array).map(Math.abs));
    expect(maxAbsDiff(got.data as Float32Array, want.data as Float32Array) / scale, `${isa}, batch ${images.shape[0]}`).toBeLessThan(1e-4);
  }
}

describe('channel blocking (NCHW16c)', () => {
  for (const stem of [false, true]) {
    it(`runs a chain of MobileNetV2 blocks blocked, each block one bottleneck layer, converting only at its edges${stem ? ', its image stem writing it blocked' : ''}, and matches the plain reference on every ISA`, async () => {
      const [batch, h, w] = [2, 9, 11];
      const { network, reference, inputShape, inputName } = mobileBlocks(batch, h, w, stem);
      const x = f32(inputShape, 42);
      const expected = reference({ data: x.data, shape: x.shape });
      for (const isa of supportedIsas()) {
        const engine = await new Builder().build(network, { isa, timeTactics: false });
        const types = engine.layers.map((l) => l.type);
        // The stem and the first expansion stay convolutions; each block is one bottleneck.
        expect(types.filter((t) => t === 'KilnConvBlocked')).toHaveLength(stem ? 2 : 1);
        expect(types.filter((t) => t === 'KilnBottleneckBlocked')).toHaveLength(3);
        expect(types.filter((t) => t === 'KilnToBlocked')).toHaveLength(stem ? 0 : 1);
        // Out of the chain: the expansion (a graph output), the residual sum (the pool) and y.
        expect(types.filter((t) => t === 'KilnFromBlocked')).toHaveLength(3);
        const out = await engine.createContext().execute({ [inputName]: x });
        for (const name of ['y', 'expanded', 'pooled'] as const) {
          expect(out[name].shape).toEqual(expected[name].shape);
          expect(maxAbsDiff(out[name].data as Float32Array, expected[name].data), `${name} on ${isa}`).toBeLessThan(1e-4);
        }
      }
    });
  }

  it('leaves a chain in NCHW when more than one tensor per two convolutions crosses its edge', async () => {
    const n = new NetworkDefinition();
    n.addInput('x', 'float32', [1, 8, 6, 6]);
    const layers: [string, number[], number][] = [['e', [16, 8, 1, 1], 1], ['d', [16, 1, 3, 3], 16], ['p', [8, 16, 1, 1], 1], ['e2', [16, 8, 1, 1], 1]];
    let input = 'x';
    for (const [name, shape, group] of layers) {
      n.addConstant(name, f32(shape, name.length));
      n.addLayer({ name, type: 'Conv', inputs: [input, name], outputs: [`${name}_out`], attributes: { group, pads: group > 1 ? [1, 1, 1, 1] : [0, 0, 0, 0] } });
      // Each convolution's output is also a graph output: an exit per convolution.
      n.markOutput(`${name}_out`);
      input = `${name}_out`;
    }
    const engine = await new Builder().build(n, { timeTactics: false });
    expect(engine.layers.map((l) => l.type)).not.toContain('KilnConvBlocked');
  });

  it('leaves short regions in NCHW, and everything with layout nchw', async () => {
    const n = new NetworkDefinition();
    n.addInput('x', 'float32', [1, 8, 5, 5]);
    for (const [i, name] of ['w1', 'w2', 'w3'].entries()) n.addConstant(name, f32([8, 8, 1, 1], i + 1));
    n.addConstant('dw', f32([8, 1, 3, 3], 5));
    n.addLayer({ name: 'c1', type: 'Conv', inputs: ['x', 'w1'], outputs: ['a'], attributes: {} });
    n.addLayer({ name: 'c2', type: 'Conv', inputs: ['a', 'w2'], outputs: ['b'], attributes: {} });
    n.addLayer({ name: 'c3', type: 'Conv', inputs: ['b', 'w3'], outputs: ['y'], attributes: {} });
    n.addLayer({ name: 'd', type: 'Conv', inputs: ['x', 'dw'], outputs: ['z'], attributes: { group: 8, pads: [1, 1, 1, 1] } });
    n.markOutput('y');
    n.markOutput('z');
    const engine = await new Builder().build(n, { timeTactics: false });
    expect(engine.layers.map((l) => l.type)).not.toContain('KilnConvBlocked');
    const { network } = mobileBlocks(1, 5, 5, true);
    const nchw = await new Builder().build(network, { timeTactics: false, layout: 'nchw' });
    expect(nchw.layers.map((l) => l.type).filter((t) => t.includes('Blocked'))).toEqual([]);
  });

  it("times the channel-blocked engine against the all-NCHW one under layout 'auto' and keeps the faster; 'blocked' does not time", async () => {
    const { network } = mobileBlocks(2, 24, 24, true);
    const messages: string[] = [];
    const logger = new Logger({ severity: 'info', sink: (_severity, message) => messages.push(message) });
    const auto = await new Builder({ logger }).build(network, { layout: 'auto' });
    const timed = messages.map((m) => /^layout: channel-blocked ([\d.]+) ms, NCHW ([\d.]+) ms per inference: keeping (channel-blocked|NCHW)$/.exec(m)).find(Boolean);
    expect(timed, messages.join('\n')).toBeDefined();
    const kept = Number(timed![1]) <= Number(timed![2]) ? 'blocked' : 'nchw';
    expect(auto.build.layout).toBe(kept);
    expect(auto.layers.some((l) => l.type === 'KilnBottleneckBlocked')).toBe(kept === 'blocked');
    messages.length = 0;
    const blocked = await new Builder({ logger }).build(network, { layout: 'blocked' });
    expect(blocked.build.layout).toBe('blocked');
    expect(messages.filter((m) => m.startsWith('layout:'))).toEqual([]);
  });

  it('runs a YOLOv5-style region blocked (stem, stride-2 and 3x3 convolutions, residual, channel concats, SPPF pools, nearest upsampling) and matches the NCHW engine on every ISA', async () => {
    for (const batch of [1, 2]) {
      const n = new NetworkDefinition();
      n.addInput('images', 'float32', [batch, 3, 64, 44]);
      const convs: [string, string, string, number[], number, number][] = [
        // name, input, output, weights [cout, cin, k, k], stride, pad
        ['stem', 'images', 's', [16, 3, 6, 6], 2, 2],
        ['down', 's', 'd', [32, 16, 3, 3], 2, 1],
        ['cv1', 'd', 'a', [16, 32, 1, 1], 1, 0],
        ['cv2', 'd', 'b', [16, 32, 1, 1], 1, 0],
        ['m1', 'a', 'm1o', [16, 16, 1, 1], 1, 0],
        ['m2', 'm1o', 'm2o', [16, 16, 3, 3], 1, 1],
        ['cv3', 'cat', 'c3', [32, 32, 1, 1], 1, 0],
        ['sp', 'c3', 'spi', [16, 32, 1, 1], 1, 0],
        ['spo', 'pools', 'sppf', [24, 64, 1, 1], 1, 0],
        ['last', 'joined', 'y', [20, 40, 3, 3], 1, 1],
      ];
      const conv = (which: string) => {
        const i = convs.findIndex(([name]) => name === which);
        const [name, input, output, shape, stride, pad] = convs[i];
        n.addConstant(name, f32(shape, 50 + i));
        n.addConstant(`${name}b`, f32([shape[0]], 70 + i));
        n.addLayer({ name, type: 'Conv', inputs: [input, name, `${name}b`], outputs: [`${output}_c`], attributes: { strides: [stride, stride], pads: [pad, pad, pad, pad] } });
        n.addLayer({ name: `${name}_relu`, type: 'Relu', inputs: [`${output}_c`], outputs: [output], attributes: {} });
      };
      for (const name of ['stem', 'down', 'cv1', 'cv2', 'm1', 'm2']) conv(name);
      n.addLayer({ name: 'res', type: 'Add', inputs: ['m2o', 'a'], outputs: ['r'], attributes: {} });
      n.addLayer({ name: 'cat', type: 'Concat', inputs: ['r', 'b'], outputs: ['cat'], attributes: { axis: 1 } });
      conv('cv3');
      conv('sp');
      for (const [i, from] of ['spi', 'p1', 'p2'].entries())
        n.addLayer({ name: `pool${i + 1}`, type: 'MaxPool', inputs: [from], outputs: [`p${i + 1}`], attributes: { kernel_shape: [5, 5], pads: [2, 2, 2, 2] } });
      n.addLayer({ name: 'pools', type: 'Concat', inputs: ['spi', 'p1', 'p2', 'p3'], outputs: ['pools'], attributes: { axis: -3 } });
      conv('spo');
      n.addConstant('scales', { dtype: 'float32', shape: [4], data: Float32Array.from([1, 1, 2, 2]) });
      n.addLayer({ name: 'up', type: 'Resize', inputs: ['sppf', '', 'scales'], outputs: ['upsampled'], attributes: { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' } });
      // 16 + 24 channels: only the last input of a blocked concat may end in a partial block.
      n.addLayer({ name: 'joined', type: 'Concat', inputs: ['s', 'upsampled'], outputs: ['joined'], attributes: { axis: 1 } });
      conv('last');
      n.markOutput('y');
      n.markOutput('c3');
      const x = f32([batch, 3, 64, 44], 99);
      for (const isa of supportedIsas()) {
        const blocked = await new Builder().build(n, { isa, timeTactics: false });
        const nchw = await new Builder().build(n, { isa, timeTactics: false, layout: 'nchw' });
        const types = blocked.layers.map((l) => l.type);
        expect(types.filter((t) => t === 'KilnConvBlocked')).toHaveLength(10);
        expect(types.filter((t) => t === 'KilnMaxPoolBlocked')).toHaveLength(3);
        expect(types).not.toContain('KilnToBlocked');
        expect(types.filter((t) => t === 'KilnFromBlocked')).toHaveLength(2);
        const [got, want] = await Promise.all([blocked.createContext().execute({ images: x }), nchw.createContext().execute({ images: x })]);
        for (const name of ['y', 'c3'] as const) {
          expect(got[name].shape).toEqual(want[name].shape);
          const scale = Math.max(...(want[name].data as Float32Array).map(Math.abs));
          expect(maxAbsDiff(got[name].data as Float32Array, want[name].data as Float32Array) / scale, `${name} on ${isa}, batch ${batch}`).toBeLessThan(1e-5);
        }
      }
    }
  });

  it('runs an image stem and the stride-2 convolution reading it as one layer, and matches the NCHW engine on every ISA', async () => {
    for (const batch of [1, 2]) {
      const n = clippedConvs([batch, 3, 37, 50], 300, [
        ['stem', 'images', 's', [16, 3, 6, 6], 2, 2, 1],
        ['down', 's', 'd', [40, 16, 3, 3], 2, 1, 1],
        ['c1', 'd', 'a', [24, 40, 1, 1], 1, 0, 1],
        ['c2', 'a', 'b', [24, 24, 3, 3], 1, 1, 1],
        ['c3', 'b', 'y', [20, 24, 3, 3], 2, 1, 1],
      ]);
      // Untimed: the fused layer's first tactic, row by row (the native tests run every tactic).
      await expectBlockedMatchesNchw(n, f32([batch, 3, 37, 50], 77), (engine) =>
        expect(engine.layers.filter((l) => l.type === 'KilnStemBlocked').map((l) => l.name)).toEqual(['stem']),
      );
    }
  });

  it("runs an image stem in the place of the first inverted residual block's expansion (MobileNetV2), and matches the NCHW engine on every ISA", async () => {
    for (const batch of [1, 2]) {
      const n = clippedConvs([batch, 3, 33, 29], 400, [
        ['stem', 'images', 's', [16, 3, 3, 3], 2, 1, 1],
        ['dw1', 's', 'd1', [16, 1, 3, 3], 1, 1, 16],
        ['pw1', 'd1', 'p1', [24, 16, 1, 1], 1, 0, 1],
        ['ex2', 'p1', 'e2', [48, 24, 1, 1], 1, 0, 1],
        ['dw2', 'e2', 'd2', [48, 1, 3, 3], 2, 1, 48],
        ['pw2', 'd2', 'y', [20, 48, 1, 1], 1, 0, 1],
      ]);
      await expectBlockedMatchesNchw(n, f32([batch, 3, 33, 29], 88), (engine) =>
        expect(engine.layers.map((l) => `${l.name} ${l.type}`)).toEqual(['stem KilnBottleneckBlocked', 'ex2 KilnBottleneckBlocked', 'y__from_blocked KilnFromBlocked']),
      );
    }
  });

  it("keeps an image stem apart from a first inverted residual block that adds the stem's output back, and matches the NCHW engine on every ISA", async () => {
    const n = clippedConvs([2, 3, 21, 18], 500, [
      ['stem', 'images', 's', [16, 3, 3, 3], 2, 1, 1],
      ['dw1', 's', 'd1', [16, 1, 3, 3], 1, 1, 16],
      ['pw1', 'd1', 'p1', [16, 16, 1, 1], 1, 0, 1],
      ['ex2', 'r1', 'e2', [32, 16, 1, 1], 1, 0, 1],
      ['dw2', 'e2', 'd2', [32, 1, 3, 3], 2, 1, 32],
      ['pw2', 'd2', 'y', [20, 32, 1, 1], 1, 0, 1],
    ]);
    // The first block's projection has no activation before the residual Add, as in MobileNetV2.
    const pw1 = n.layers.findIndex((l) => l.name === 'pw1_clip');
    n.layers.splice(pw1, 1, { name: 'res1', type: 'Add', inputs: ['p1_c', 's'], outputs: ['r1'], attributes: {} });
    await expectBlockedMatchesNchw(n, f32([2, 3, 21, 18], 89), (engine) =>
      expect(engine.layers.map((l) => `${l.name} ${l.type}`)).toEqual(['stem KilnConvBlocked', 'dw1 KilnBottleneckBlocked', 'ex2 KilnBottleneckBlocked', 'y__from_blocked KilnFromBlocked']),
    );
  });

  it('runs a ResNet-style region blocked (7x7 stem, 3x3/2 max pool, residual blocks with ReLU after the sum, a 1x1/2 shortcut, global pool) into a fully connected layer, and matches the NCHW engine on every ISA', async () => {
    for (const batch of [1, 3]) {
      const n = new NetworkDefinition();
      n.addInput('image', 'float32', [batch, 3, 45, 38]);
      let seed = 200;
      const conv = (name: string, input: string, output: string, shape: number[], stride: number, pad: number, relu: boolean) => {
        n.addConstant(name, f32(shape, seed++));
        n.addConstant(`${name}b`, f32([shape[0]], seed++));
        const out = relu ? `${output}_c` : output;
        n.addLayer({ name, type: 'Conv', inputs: [input, name, `${name}b`], outputs: [out], attributes: { strides: [stride, stride], pads: [pad, pad, pad, pad] } });
        if (relu) n.addLayer({ name: `${name}_relu`, type: 'Relu', inputs: [out], outputs: [output], attributes: {} });
      };
      const addRelu = (name: string, a: string, b: string, output: string) => {
        n.addLayer({ name, type: 'Add', inputs: [a, b], outputs: [`${output}_sum`], attributes: {} });
        n.addLayer({ name: `${name}_relu`, type: 'Relu', inputs: [`${output}_sum`], outputs: [output], attributes: {} });
      };
      conv('stem', 'image', 's', [16, 3, 7, 7], 2, 3, true);
      n.addLayer({ name: 'pool', type: 'MaxPool', inputs: ['s'], outputs: ['p'], attributes: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } });
      conv('b1c1', 'p', 'b1a', [16, 16, 3, 3], 1, 1, true);
      conv('b1c2', 'b1a', 'b1b', [16, 16, 3, 3], 1, 1, false);
      addRelu('b1add', 'b1b', 'p', 'b1');
      conv('b2c1', 'b1', 'b2a', [40, 16, 3, 3], 2, 1, true);
      conv('b2c2', 'b2a', 'b2b', [40, 40, 3, 3], 1, 1, false);
      conv('b2sc', 'b1', 'b2s', [40, 16, 1, 1], 2, 0, false);
      addRelu('b2add', 'b2b', 'b2s', 'b2');
      n.addLayer({ name: 'gap', type: 'GlobalAveragePool', inputs: ['b2'], outputs: ['g'], attributes: {} });
      n.addLayer({ name: 'flat', type: 'Flatten', inputs: ['g'], outputs: ['f'], attributes: { axis: 1 } });
      n.addConstant('fc', f32([10, 40], seed++));
      n.addConstant('fcb', f32([10], seed++));
      n.addLayer({ name: 'fc', type: 'Gemm', inputs: ['f', 'fc', 'fcb'], outputs: ['logits'], attributes: { transB: 1 } });
      n.markOutput('logits');
      const x = f32([batch, 3, 45, 38], 300);
      for (const isa of supportedIsas()) {
        const blocked = await new Builder().build(n, { isa, timeTactics: false });
        const nchw = await new Builder().build(n, { isa, timeTactics: false, layout: 'nchw' });
        const types = blocked.layers.map((l) => l.type);
        expect(types.filter((t) => t === 'KilnConvBlocked')).toHaveLength(6);
        expect(types).toContain('KilnMaxPoolBlocked');
        expect(types).toContain('KilnGlobalAveragePoolBlocked');
        expect(types.filter((t) => t === 'KilnFromBlocked' || t === 'KilnToBlocked')).toHaveLength(1);
        const [got, want] = await Promise.all([blocked.createContext().execute({ image: x }), nchw.createContext().execute({ image: x })]);
        expect(got.logits.shape).toEqual([batch, 10]);
        const scale = Math.max(...(want.logits.data as Float32Array).map(Math.abs));
        expect(maxAbsDiff(got.logits.data as Float32Array, want.logits.data as Float32Array) / scale, `${isa}, batch ${batch}`).toBeLessThan(1e-5);
      }
    }
  });
});

/** The network as the builder leaves it for lowering: optimized, residuals fused, blocked, bottlenecks fused. */
function blockedBottlenecks(network: NetworkDefinition): { network: NetworkDefinition; fused: number } {
  const { network: optimized } = optimizeNetwork(network);
  fuseConvResidualAdds(optimized);
  blockChannels(optimized);
  return { network: optimized, fused: fuseBottlenecks(optimized) };
}

describe('bottleneck fusion', () => {
  it('fuses each inverted residual block into one layer: with or without its expansion, a residual, stride 2', () => {
    const { network, fused } = blockedBottlenecks(mobileBlocks(2, 9, 11, false).network);
    expect(fused).toBe(3);
    const layers = network.layers.filter((l) => l.type === 'KilnBottleneckBlocked');
    const relu6Attrs = (prefix: string) => ({ [`${prefix}activation`]: 'clip', [`${prefix}activation_alpha`]: 0, [`${prefix}activation_beta`]: 6 });
    const window = (stride: number, channels: number) => ({ strides: [stride, stride], pads: [1, 1, 1, 1], dilations: [1, 1], group: channels });
    // The first block's expansion is a graph output: it stays a convolution, the block reads it.
    expect(layers[0]).toEqual({
      name: 'd1', type: 'KilnBottleneckBlocked', inputs: ['expanded__blocked', 'd1', 'd1b', 'p1', 'p1b', 'x__to_blocked'], outputs: ['sum__blocked'],
      attributes: { expand: 0, ...window(1, 36), ...relu6Attrs('depthwise_') },
    });
    expect(layers[1]).toEqual({
      name: 'e3', type: 'KilnBottleneckBlocked', inputs: ['sum__blocked', 'e3', 'e3b', 'd3', 'd3b', 'p3', 'p3b', 'sum__blocked'], outputs: ['sum3__blocked'],
      attributes: { expand: 1, ...window(1, 24), ...relu6Attrs('expand_'), ...relu6Attrs('depthwise_') },
    });
    expect(layers[2]).toEqual({
      name: 'e2', type: 'KilnBottleneckBlocked', inputs: ['sum3__blocked', 'e2', 'e2b', 'd2', 'd2b', 'p2', 'p2b'], outputs: ['y__blocked'],
      attributes: { expand: 1, ...window(2, 40), ...relu6Attrs('expand_'), ...relu6Attrs('depthwise_') },
    });
    expect(network.layers.filter((l) => l.type === 'KilnConvBlocked').map((l) => l.name)).toEqual(['e1']);
    // Every layer after the layers writing its inputs.
    const written = new Set([...network.inputs.map((i) => i.name), ...network.constants.keys()]);
    for (const layer of network.layers) {
      for (const name of layer.inputs) expect(written.has(name), `${layer.name} reads ${name}`).toBe(true);
      for (const name of layer.outputs) written.add(name);
    }

    const { infos } = analyze(network);
    expect(infos.get('sum__blocked')?.shape).toEqual([2, 1, 9, 11, 16]);
    expect(infos.get('y__blocked')?.shape).toEqual([2, 2, 5, 6, 16]);
    const lowered = lowerNetwork(network, {}).graph.layers.find((l) => l.name === 'e2');
    expect(lowered?.attrs).toEqual({
      expand: { ints: [1] }, stem: { ints: [0] }, strides: { ints: [2, 2] }, pads: { ints: [1, 1, 1, 1] }, dilations: { ints: [1, 1] }, group: { ints: [40] },
      expand_activation: { str: 'clip' }, expand_activation_alpha: { floats: [0] }, expand_activation_beta: { floats: [6] },
      depthwise_activation: { str: 'clip' }, depthwise_activation_alpha: { floats: [0] }, depthwise_activation_beta: { floats: [6] },
      activation: { str: 'none' }, activation_alpha: { floats: [0] }, activation_beta: { floats: [0] }, activation_after_residual: { ints: [0] },
    });
  });

  for (const depthwiseRead of [false, true]) {
    it(`takes a fused projection as no expansion of the next block (dw → pw chains)${depthwiseRead ? '; leaves a depthwise convolution read elsewhere' : ''}`, () => {
      const n = new NetworkDefinition();
      n.addInput('x', 'float32', [1, 16, 8, 8]);
      const layers: [string, number[], number][] = [['pw0', [32, 16, 1, 1], 1], ['dw1', [32, 1, 3, 3], 32], ['pw1', [16, 32, 1, 1], 1], ['dw2', [16, 1, 3, 3], 16], ['pw2', [16, 16, 1, 1], 1], ['pw3', [16, 16, 1, 1], 1]];
      let input = 'x';
      for (const [name, shape, group] of layers) {
        n.addConstant(name, f32(shape, name.length));
        n.addLayer({ name, type: 'Conv', inputs: [input, name], outputs: [`${name}_out`], attributes: { group, pads: group > 1 ? [1, 1, 1, 1] : [0, 0, 0, 0] } });
        input = `${name}_out`;
      }
      n.markOutput(input);
      if (depthwiseRead) n.markOutput('dw2_out');
      const { network, fused } = blockedBottlenecks(n);
      expect(fused).toBe(depthwiseRead ? 1 : 2);
      const computed = network.layers.filter((l) => !['KilnToBlocked', 'KilnFromBlocked'].includes(l.type));
      expect(computed.map((l) => [l.name, l.type, l.attributes.expand])).toEqual([
        ['pw0', 'KilnBottleneckBlocked', 1],
        ...(depthwiseRead ? [['dw2', 'KilnConvBlocked', undefined], ['pw2', 'KilnConvBlocked', undefined]] : [['dw2', 'KilnBottleneckBlocked', 0]]),
        ['pw3', 'KilnConvBlocked', undefined],
      ]);
    });
  }
});
