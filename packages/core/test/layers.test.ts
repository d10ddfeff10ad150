import { describe, expect, it } from 'vitest';
import { Builder, NetworkDefinition, supportedIsas, type AttributeValue, type Tensor } from '../src/index.js';
import { f32, i64, maxAbsDiff } from './helpers/networks.js';

/** Builds a one-layer network over input x (plus constants) and runs it on each ISA path. */
async function runLayer(
  type: string,
  x: Tensor<'float32'>,
  attributes: Record<string, AttributeValue>,
  constants: Record<string, Tensor> = {},
  outputs = ['y'],
): Promise<Record<string, Tensor>[]> {
  const results = [];
  for (const isa of supportedIsas()) {
    const n = new NetworkDefinition();
    n.addInput('x', 'float32', x.shape);
    for (const [name, tensor] of Object.entries(constants)) n.addConstant(name, tensor);
    n.addLayer({ name: type.toLowerCase(), type, inputs: ['x', ...Object.keys(constants)], outputs, attributes });
    outputs.forEach((o) => n.markOutput(o));
    const engine = await new Builder().build(n, { isa, threads: 2 });
    results.push(await engine.createContext().execute({ x }));
  }
  return results;
}

function strides(shape: number[]): number[] {
  const s = shape.map(() => 1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/** Element (flat index in `shape`) → its multi-index. */
function unravel(i: number, shape: number[]): number[] {
  const idx = new Array(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return idx;
}

function expectClose(actual: Tensor, expected: number[] | Float32Array, shape: number[], tolerance = 1e-5) {
  expect(actual.shape).toEqual(shape);
  expect(maxAbsDiff(actual.data as Float32Array, expected as ArrayLike<number>)).toBeLessThanOrEqual(tolerance);
}

describe('elementwise layers against a plain reference', () => {
  const x = f32([2, 3, 5, 7], 3).data.map((v) => v * 6);
  const input: Tensor<'float32'> = { dtype: 'float32', shape: [2, 3, 5, 7], data: x };
  const unary: [string, Record<string, AttributeValue>, (v: number) => number][] = [
    ['Sigmoid', {}, (v) => 1 / (1 + Math.exp(-v))],
    ['Relu', {}, (v) => Math.max(0, v)],
    ['LeakyRelu', { alpha: 0.1 }, (v) => (v >= 0 ? v : 0.1 * v)],
    ['HardSwish', {}, (v) => v * Math.min(1, Math.max(0, v / 6 + 0.5))],
    ['HardSigmoid', { alpha: 0.2, beta: 0.5 }, (v) => Math.min(1, Math.max(0, 0.2 * v + 0.5))],
    ['Tanh', {}, Math.tanh],
    ['Exp', {}, Math.exp],
    ['Floor', {}, Math.floor],
    ['Abs', {}, Math.abs],
  ];
  for (const [type, attributes, fn] of unary) {
    it(`${type} on every ISA path`, async () => {
      const expected = Array.from(x, fn);
      for (const { y } of await runLayer(type, input, attributes)) {
        expect(y.shape).toEqual(input.shape);
        const rel = Math.max(...Array.from(y.data as Float32Array, (v, i) => Math.abs(v - expected[i]) / Math.max(1, Math.abs(expected[i]))));
        expect(rel).toBeLessThan(2e-6);
      }
    });
  }

  const binary: [string, (a: number, b: number) => number][] = [
    ['Add', (a, b) => a + b],
    ['Sub', (a, b) => a - b],
    ['Mul', (a, b) => a * b],
    ['Div', (a, b) => a / b],
    ['Max', Math.max],
  ];
  for (const [type, fn] of binary) {
    for (const bShape of [[2, 3, 5, 7], [3, 1, 1], [7], [1, 3, 5, 1], []]) {
      it(`${type} broadcasting [2, 3, 5, 7] with [${bShape.join(', ')}]`, async () => {
        const b = f32(bShape, 11);
        const bStrides = strides(bShape);
        const expected = Array.from(x, (a, i) => {
          const idx = unravel(i, [2, 3, 5, 7]).slice(4 - bShape.length);
          const offset = idx.reduce((s, v, d) => s + (bShape[d] === 1 ? 0 : v) * bStrides[d], 0);
          return Math.fround(fn(a, b.data[offset]));
        });
        for (const { y } of await runLayer(type, input, {}, { b })) expectClose(y, expected, [2, 3, 5, 7], 1e-5);
      });
    }
  }

  it('Pow with a scalar exponent of 2 and 0.5', async () => {
    const positive: Tensor<'float32'> = { ...input, data: x.map(Math.abs) as Float32Array };
    for (const e of [2, 0.5]) {
      const expected = Array.from(positive.data, (v) => Math.fround(v ** e));
      for (const { y } of await runLayer('Pow', positive, {}, { e: { dtype: 'float32', shape: [], data: Float32Array.from([e]) } })) {
        expectClose(y, expected, input.shape, 1e-5);
      }
    }
  });
});

describe('data movement layers against a plain reference', () => {
  const x = f32([2, 3, 5, 7], 4);
  const xs = x.data;

  it('Transpose with an odd permutation', async () => {
    const perm = [2, 0, 3, 1];
    const shape = perm.map((p) => x.shape[p]);
    const st = strides(x.shape);
    const expected = Array.from({ length: xs.length }, (_, i) => {
      const idx = unravel(i, shape);
      return xs[idx.reduce((s, v, d) => s + v * st[perm[d]], 0)];
    });
    for (const { y } of await runLayer('Transpose', x, { perm })) expectClose(y, expected, shape, 0);
  });

  it('Slice with negative indices and steps', async () => {
    const starts = i64([-1, 1]);
    const ends = i64([-100, 6]);
    const axes = i64([3, 2]);
    const steps = i64([-2, 2]);
    const cols = [6, 4, 2, 0];
    const rows = [1, 3];
    const expected: number[] = [];
    for (let n = 0; n < 2; n++) for (let c = 0; c < 3; c++) for (const r of rows) for (const q of cols) expected.push(xs[((n * 3 + c) * 5 + r) * 7 + q]);
    for (const { y } of await runLayer('Slice', x, {}, { starts, ends, axes, steps })) expectClose(y, expected, [2, 3, 2, 4], 0);
  });

  it('Split into uneven parts along an inner axis', async () => {
    const results = await runLayer('Split', x, { axis: 3 }, { split: i64([2, 4, 1]) }, ['p', 'q', 'r']);
    const part = (begin: number, width: number) => {
      const out: number[] = [];
      for (let row = 0; row < 30; row++) for (let j = 0; j < width; j++) out.push(xs[row * 7 + begin + j]);
      return out;
    };
    for (const r of results) {
      expectClose(r.p, part(0, 2), [2, 3, 5, 2], 0);
      expectClose(r.q, part(2, 4), [2, 3, 5, 4], 0);
      expectClose(r.r, part(6, 1), [2, 3, 5, 1], 0);
    }
  });

  it('Concat of an input with a constant along axis 2', async () => {
    const c = f32([2, 3, 2, 7], 8);
    const expected: number[] = [];
    for (let o = 0; o < 6; o++) {
      expected.push(...xs.slice(o * 35, o * 35 + 35));
      expected.push(...c.data.slice(o * 14, o * 14 + 14));
    }
    for (const { y } of await runLayer('Concat', x, { axis: 2 }, { c })) expectClose(y, expected, [2, 3, 7, 7], 0);
  });

  it('Resize nearest (asymmetric, floor) by 2 and linear (half_pixel) by 1.5', async () => {
    const nearest = await runLayer('Resize', x, { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }, { roi: { dtype: 'float32', shape: [0], data: new Float32Array(0) }, scales: { dtype: 'float32', shape: [4], data: Float32Array.from([1, 1, 2, 2]) } });
    const expectedNearest = Array.from({ length: 2 * 3 * 10 * 14 }, (_, i) => {
      const [n, c, yy, xx] = unravel(i, [2, 3, 10, 14]);
      return xs[((n * 3 + c) * 5 + Math.floor(yy / 2)) * 7 + Math.floor(xx / 2)];
    });
    for (const { y } of nearest) expectClose(y, expectedNearest, [2, 3, 10, 14], 0);

    const linear = await runLayer('Resize', x, { mode: 'linear', coordinate_transformation_mode: 'half_pixel' }, { roi: { dtype: 'float32', shape: [0], data: new Float32Array(0) }, scales: { dtype: 'float32', shape: [4], data: Float32Array.from([1, 1, 1.5, 1.5]) } });
    const source = (o: number, size: number) => Math.min(Math.max((o + 0.5) / 1.5 - 0.5, 0), size - 1);
    const expectedLinear = Array.from({ length: 2 * 3 * 7 * 10 }, (_, i) => {
      const [n, c, oy, ox] = unravel(i, [2, 3, 7, 10]);
      const sy = source(oy, 5), sx = source(ox, 7);
      const y0 = Math.floor(sy), x0 = Math.floor(sx), y1 = Math.min(y0 + 1, 4), x1 = Math.min(x0 + 1, 6);
      const at = (yy: number, xx: number) => xs[((n * 3 + c) * 5 + yy) * 7 + xx];
      const ty = sy - y0, tx = sx - x0;
      return (1 - ty) * ((1 - tx) * at(y0, x0) + tx * at(y0, x1)) + ty * ((1 - tx) * at(y1, x0) + tx * at(y1, x1));
    });
    for (const { y } of linear) expectClose(y, expectedLinear, [2, 3, 7, 10], 1e-5);
  });

  const pools: [string, Record<string, AttributeValue>, number[]][] = [
    ['MaxPool', { kernel_shape: [5, 5], pads: [2, 2, 2, 2], strides: [1, 1] }, [2, 3, 5, 7]],
    ['MaxPool', { kernel_shape: [3, 3], pads: [0, 0, 0, 0], strides: [2, 2], ceil_mode: 1 }, [2, 3, 2, 3]],
    ['MaxPool', { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2] }, [2, 3, 3, 4]],
    ['MaxPool', { kernel_shape: [2, 3], pads: [1, 0, 0, 2], strides: [2, 2] }, [2, 3, 3, 4]],
    ['MaxPool', { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1] }, [2, 3, 5, 7]],
    ['AveragePool', { kernel_shape: [3, 2], pads: [1, 0, 1, 1], strides: [2, 2], count_include_pad: 0 }, [2, 3, 3, 4]],
    ['AveragePool', { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2], count_include_pad: 1 }, [2, 3, 3, 4]],
  ];
  for (const [type, attributes, shape] of pools) {
    it(`${type} ${JSON.stringify(attributes)}`, async () => {
      const [kh, kw] = attributes.kernel_shape as number[];
      const [pt, pl] = attributes.pads as number[];
      const [sh, sw] = attributes.strides as number[];
      const expected = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => {
        const [n, c, oy, ox] = unravel(i, shape);
        const values: number[] = [];
        for (let ky = 0; ky < kh; ky++)
          for (let kx = 0; kx < kw; kx++) {
            const iy = oy * sh - pt + ky, ix = ox * sw - pl + kx;
            if (iy >= 0 && iy < 5 && ix >= 0 && ix < 7) values.push(xs[((n * 3 + c) * 5 + iy) * 7 + ix]);
          }
        if (type === 'MaxPool') return Math.max(...values);
        return values.reduce((a, b) => a + b, 0) / (attributes.count_include_pad ? kh * kw : values.length);
      });
      for (const { y } of await runLayer(type, x, attributes)) expectClose(y, expected, shape, 1e-6);
    });
  }
});

describe('data movement on other element types', () => {
  it('transposes int64 and concatenates uint8 tensors exactly', async () => {
    const n = new NetworkDefinition();
    n.addInput('ids', 'int64', [2, 3]);
    n.addInput('mask', 'uint8', [2, 2]);
    n.addConstant('extra', { dtype: 'uint8', shape: [2, 1], data: Uint8Array.from([7, 9]) });
    n.addLayer({ name: 't', type: 'Transpose', inputs: ['ids'], outputs: ['idsT'], attributes: { perm: [1, 0] } });
    n.addLayer({ name: 'c', type: 'Concat', inputs: ['mask', 'extra'], outputs: ['joined'], attributes: { axis: 1 } });
    n.markOutput('idsT');
    n.markOutput('joined');
    const ctx = (await new Builder().build(n)).createContext();
    const ids = BigInt64Array.from([1n, 2n, 3n, 4n, 5n, 2n ** 40n]);
    const out = await ctx.execute({ ids: { dtype: 'int64', shape: [2, 3], data: ids }, mask: { dtype: 'uint8', shape: [2, 2], data: Uint8Array.from([1, 0, 0, 1]) } });
    expect(out.idsT.dtype).toBe('int64');
    expect(Array.from(out.idsT.data as BigInt64Array)).toEqual([1n, 4n, 2n, 5n, 3n, 2n ** 40n]);
    expect(Array.from(out.joined.data as Uint8Array)).toEqual([1, 0, 7, 0, 1, 9]);
    expect(() => ctx.execute({ ids: { dtype: 'int64', shape: [2, 3], data: new Float32Array(6) as never }, mask: { dtype: 'uint8', shape: [2, 2], data: new Uint8Array(4) } })).toThrow(/BigInt64Array/);
  });

  it('refuses a float-only kernel on integers, naming the layer', async () => {
    const n = new NetworkDefinition();
    n.addInput('a', 'int32', [4]);
    n.addLayer({ name: 'sig', type: 'Sigmoid', inputs: ['a'], outputs: ['s'], attributes: {} });
    n.markOutput('s');
    await expect(new Builder().build(n)).rejects.toThrow(/layer 'sig' \(Unary\): input 0 is int32/);
  });
});
