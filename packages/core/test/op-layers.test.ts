import { describe, expect, it } from 'vitest';
import { Builder, NetworkDefinition, supportedIsas, type AttributeValue, type Tensor } from '../src/index.js';
import { f32, i64, randomFloats } from './helpers/networks.js';

/** Builds one layer over runtime inputs (and constants) and runs it on every ISA path. */
async function run(type: string, inputs: Record<string, Tensor>, attributes: Record<string, AttributeValue> = {}, constants: Record<string, Tensor> = {}, outputs = ['y']) {
  const results: Record<string, Tensor>[] = [];
  for (const isa of supportedIsas()) {
    const n = new NetworkDefinition();
    for (const [name, t] of Object.entries(inputs)) n.addInput(name, t.dtype, t.shape);
    for (const [name, t] of Object.entries(constants)) n.addConstant(name, t);
    n.addLayer({ name: 'l', type, inputs: [...Object.keys(inputs), ...Object.keys(constants)], outputs, attributes });
    outputs.forEach((o) => n.markOutput(o));
    const engine = await new Builder().build(n, { isa, threads: 2, timeTactics: false });
    results.push(await engine.createContext().execute(inputs));
  }
  return results;
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const strides = (shape: number[]) => shape.map((_, i) => size(shape.slice(i + 1)));
const unravel = (i: number, shape: number[]) => shape.map((_, d) => Math.floor(i / strides(shape)[d]) % shape[d]);
const at = (t: { shape: number[]; data: ArrayLike<number | bigint> }, idx: number[]) => Number(t.data[idx.reduce((o, v, d) => o + v * strides(t.shape)[d], 0)]);

function expectNear(actual: Tensor, shape: number[], expected: ArrayLike<number>, tolerance = 1e-4) {
  expect(actual.shape).toEqual(shape);
  const data = Array.from(actual.data as ArrayLike<number | bigint>, Number);
  data.forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(expected[i]))));
}

function int(shape: number[], max: number, seed: number, dtype: 'int64' | 'int32' = 'int64'): Tensor {
  const values = Array.from(randomFloats(size(shape), seed), (v) => Math.floor((v + 1) * max) - max);
  return dtype === 'int64' ? { dtype, shape, data: BigInt64Array.from(values.map(BigInt)) } : { dtype, shape, data: Int32Array.from(values) };
}

describe('MatMul and Gemm against a plain reference', () => {
  const matmul = (a: Tensor, b: Tensor, ta = false, tb = false) => {
    const [m, k] = ta ? [a.shape[1], a.shape[0]] : a.shape.slice(-2);
    const n = tb ? b.shape[0] : b.shape[b.shape.length - 1];
    return { m, n, k, at: (i: number, j: number) => { let s = 0; for (let p = 0; p < k; p++) s += at(a, ta ? [p, i] : [i, p]) * at(b, tb ? [j, p] : [p, j]); return s; } };
  };
  it('batched, broadcasting MatMul on odd shapes', async () => {
    const a = f32([3, 1, 5, 7], 1), b = f32([4, 7, 9], 2);
    for (const { y } of await run('MatMul', { a, b })) {
      const exp = new Float32Array(3 * 4 * 5 * 9);
      for (let o = 0; o < exp.length; o++) {
        const [i0, i1, i, j] = unravel(o, [3, 4, 5, 9]);
        let s = 0;
        for (let p = 0; p < 7; p++) s += at(a, [i0, 0, i, p]) * at(b, [i1, p, j]);
        exp[o] = s;
      }
      expectNear(y, [3, 4, 5, 9], exp);
    }
  });
  it('1-D operands', async () => {
    const a = f32([7], 3), b = f32([2, 7, 3], 4);
    for (const { y } of await run('MatMul', { a, b })) {
      expectNear(y, [2, 3], Array.from({ length: 6 }, (_, o) => { let s = 0; for (let p = 0; p < 7; p++) s += a.data[p] * at(b, [Math.floor(o / 3), p, o % 3]); return s; }));
    }
  });
  for (const [ta, tb] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
    it(`Gemm transA=${ta} transB=${tb} with alpha, beta and a row bias`, async () => {
      const a = f32(ta ? [13, 6] : [6, 13], 5), b = f32(tb ? [11, 13] : [13, 11], 6), c = f32([11], 7);
      const ref = matmul(a, b, !!ta, !!tb);
      for (const { y } of await run('Gemm', { a, b }, { transA: ta, transB: tb, alpha: 0.5, beta: 2 }, { c })) {
        expectNear(y, [6, 11], Array.from({ length: 66 }, (_, o) => 0.5 * ref.at(Math.floor(o / 11), o % 11) + 2 * c.data[o % 11]));
      }
    });
  }
  // Constant weights: the packed fully connected kernel (B as [n, k] or [k, n], a bias row or none).
  for (const [tb, withBias] of [[0, true], [1, true], [1, false]] as const) {
    it(`Gemm with constant weights, transB=${tb}${withBias ? ' and a constant bias row' : ''}, on 37 rows`, async () => {
      const a = f32([37, 70], 8), b = f32(tb ? [45, 70] : [70, 45], 9), c = f32([1, 45], 10);
      const ref = matmul(a, b, false, !!tb);
      for (const { y } of await run('Gemm', { a }, { transB: tb }, withBias ? { b, c } : { b })) {
        expectNear(y, [37, 45], Array.from({ length: 37 * 45 }, (_, o) => ref.at(Math.floor(o / 45), o % 45) + (withBias ? c.data[o % 45] : 0)));
      }
    });
  }
  it('MatMul of a 3-D input by a constant matrix', async () => {
    const a = f32([2, 5, 33], 11), b = f32([33, 17], 12);
    for (const { y } of await run('MatMul', { a }, {}, { b })) {
      expectNear(y, [2, 5, 17], Array.from({ length: 2 * 5 * 17 }, (_, o) => {
        const [i0, i, j] = unravel(o, [2, 5, 17]);
        let s = 0;
        for (let p = 0; p < 33; p++) s += at(a, [i0, i, p]) * at(b, [p, j]);
        return s;
      }));
    }
  });
});

describe('Softmax, reductions and arg/top-k against a plain reference', () => {
  const x = f32([2, 5, 3], 8);
  for (const type of ['Softmax', 'LogSoftmax']) {
    it(`${type} along a middle axis`, async () => {
      const exp = Array.from(x.data, (_, o) => {
        const [i, , k] = unravel(o, x.shape);
        const row = [0, 1, 2, 3, 4].map((j) => Math.exp(at(x, [i, j, k])));
        const v = Math.exp(x.data[o]) / row.reduce((s, e) => s + e, 0);
        return type === 'Softmax' ? v : Math.log(v);
      });
      for (const { y } of await run(type, { x }, { axis: 1 })) expectNear(y, x.shape, exp);
    });
  }
  const reduceCases: [string, (v: number[]) => number][] = [
    ['ReduceSum', (v) => v.reduce((a, b) => a + b, 0)],
    ['ReduceMax', (v) => Math.max(...v)],
    ['ReduceL2', (v) => Math.sqrt(v.reduce((a, b) => a + b * b, 0))],
    ['ReduceLogSumExp', (v) => Math.log(v.reduce((a, b) => a + Math.exp(b), 0))],
    ['ReduceProd', (v) => v.reduce((a, b) => a * b, 1)],
  ];
  for (const [type, fn] of reduceCases) {
    it(`${type} over axes [0, 2], keepdims 0`, async () => {
      const exp = [0, 1, 2, 3, 4].map((j) => fn([0, 1].flatMap((i) => [0, 1, 2].map((k) => at(x, [i, j, k])))));
      for (const { y } of await run(type, { x }, { keepdims: 0, noop_with_empty_axes: 0 }, { axes: i64([0, -1]) })) expectNear(y, [5], exp);
    });
  }
  it('ReduceSum of int64 over all axes', async () => {
    const v = int([3, 4], 9, 9);
    for (const { y } of await run('ReduceSum', { v }, { keepdims: 1, noop_with_empty_axes: 0 })) {
      expect(y.dtype).toBe('int64');
      expectNear(y, [1, 1], [Array.from(v.data as BigInt64Array, Number).reduce((a, b) => a + b, 0)]);
    }
  });
  it('ArgMax with select_last_index on ties', async () => {
    const v: Tensor = { dtype: 'float32', shape: [2, 4], data: Float32Array.from([1, 3, 3, 0, 2, 2, 1, 2]) };
    for (const { y } of await run('ArgMax', { v }, { axis: 1, keepdims: 0, select_last_index: 1 })) expectNear(y, [2], [2, 3]);
    for (const { y } of await run('ArgMin', { v }, { axis: 1, keepdims: 1, select_last_index: 0 })) expectNear(y, [2, 1], [3, 2]);
  });
  it('TopK largest and smallest', async () => {
    for (const largest of [1, 0]) {
      for (const { values, indices } of await run('TopK', { x }, { axis: 1, largest, sorted: 1 }, { k: i64([2]) }, ['values', 'indices'])) {
        const expV: number[] = [], expI: number[] = [];
        for (let o = 0; o < 2 * 2 * 3; o++) {
          const [i, r, k] = unravel(o, [2, 2, 3]);
          const order = [0, 1, 2, 3, 4].sort((p, q) => (largest ? at(x, [i, q, k]) - at(x, [i, p, k]) : at(x, [i, p, k]) - at(x, [i, q, k])));
          expV.push(at(x, [i, order[r], k]));
          expI.push(order[r]);
        }
        expectNear(values, [2, 2, 3], expV);
        expectNear(indices, [2, 2, 3], expI);
      }
    }
  });
});

describe('typed elementwise layers against a plain reference', () => {
  it('int64 Div truncates, Mod takes the sign of the divisor, on broadcast shapes', async () => {
    const a = int([3, 1, 5], 20, 10), b = int([4, 1], 6, 11);
    const bd = b.data as BigInt64Array;
    for (let i = 0; i < bd.length; i++) if (bd[i] === 0n) bd[i] = 3n;
    const shape = [3, 4, 5];
    const ref = (fn: (p: number, q: number) => number) => Array.from({ length: 60 }, (_, o) => { const [i, j, k] = unravel(o, shape); return fn(at(a, [i, 0, k]), at(b, [j, 0])); });
    for (const { y } of await run('Div', { a, b })) expectNear(y, shape, ref((p, q) => Math.trunc(p / q)));
    for (const { y } of await run('Mod', { a, b }, { fmod: 0 })) expectNear(y, shape, ref((p, q) => ((p % q) + q) % q));
    for (const { y } of await run('Less', { a, b })) {
      expect(y.dtype).toBe('bool');
      expectNear(y, shape, ref((p, q) => (p < q ? 1 : 0)));
    }
  });
  it('float Mul, Add and Sub over broadcast shapes: per-channel scales, whole-tensor pieces, crossed axes', async () => {
    const cases: [string, Tensor, Tensor][] = [
      ['Mul', f32([2, 5, 33, 40], 21), f32([2, 5, 1, 1], 22)], // a squeeze-and-excitation scale
      ['Add', f32([2, 9001], 23), f32([2, 9001], 24)], // one merged row of 18002, cut into pieces
      ['Sub', f32([4, 1, 37], 25), f32([1, 6, 1], 26)],
      ['Mul', f32([3, 1], 27), f32([2, 1, 3, 7], 28)],
    ];
    const ops: Record<string, (p: number, q: number) => number> = { Mul: (p, q) => p * q, Add: (p, q) => p + q, Sub: (p, q) => p - q };
    for (const [type, a, b] of cases) {
      const rank = Math.max(a.shape.length, b.shape.length);
      const pad = (t: Tensor) => [...Array(rank - t.shape.length).fill(1), ...t.shape];
      const [sa, sb] = [pad(a), pad(b)];
      const shape = sa.map((d, i) => Math.max(d, sb[i]!));
      // Each input's element offset for an output index: its strides, 0 along a broadcast axis.
      const offsets = (own: number[]) => {
        const st = strides(own).map((v, d) => (own[d] === 1 ? 0 : v));
        const out = strides(shape);
        return (o: number) => shape.reduce((acc, dim, d) => acc + (Math.floor(o / out[d]!) % dim) * st[d]!, 0);
      };
      const [oa, ob] = [offsets(sa), offsets(sb)];
      const expected = Array.from({ length: size(shape) }, (_, o) => ops[type]!(a.data[oa(o)] as number, b.data[ob(o)] as number));
      for (const { y } of await run(type, { a, b })) expectNear(y, shape, expected, 1e-6);
    }
  });
  it('GlobalAveragePool and GlobalMaxPool over odd planes', async () => {
    for (const shape of [[2, 3, 7, 9], [1, 2, 1, 1], [1, 1, 67, 5]]) {
      const x = f32(shape, 30);
      const plane = shape[2]! * shape[3]!;
      const planes = Array.from({ length: shape[0]! * shape[1]! }, (_, c) => Array.from(x.data.subarray(c * plane, (c + 1) * plane) as Float32Array));
      for (const { y } of await run('GlobalAveragePool', { x })) expectNear(y, [shape[0]!, shape[1]!, 1, 1], planes.map((p) => p.reduce((s, v) => s + v, 0) / plane), 1e-6);
      for (const { y } of await run('GlobalMaxPool', { x })) expectNear(y, [shape[0]!, shape[1]!, 1, 1], planes.map((p) => Math.max(...p)), 0);
    }
  });
  it('Where over three broadcast inputs', async () => {
    const c: Tensor = { dtype: 'bool', shape: [3, 1], data: Uint8Array.from([1, 0, 1]) };
    const p = int([1, 4], 5, 12), q = int([4], 5, 13);
    for (const { y } of await run('Where', { c, p, q })) expectNear(y, [3, 4], Array.from({ length: 12 }, (_, o) => (c.data[Math.floor(o / 4)] ? at(p, [0, o % 4]) : at(q, [o % 4]))));
  });
  const x = f32([3, 7, 5], 14);
  const unary: [string, Record<string, AttributeValue>, (v: number) => number][] = [
    ['Erf', {}, (v) => { const t = 1 / (1 + 0.3275911 * Math.abs(v)); const e = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-v * v); return v < 0 ? -e : e; }],
    ['Elu', { alpha: 0.7 }, (v) => (v >= 0 ? v : 0.7 * (Math.exp(v) - 1))],
    ['Softplus', {}, (v) => Math.log(1 + Math.exp(v))],
    ['Mish', {}, (v) => v * Math.tanh(Math.log(1 + Math.exp(v)))],
    ['Gelu', { approximate: 'tanh' }, (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))],
  ];
  for (const [type, attrs, fn] of unary) {
    it(type, async () => {
      for (const { y } of await run(type, { x }, attrs)) expectNear(y, x.shape, Array.from(x.data, fn), 2e-6 + (type === 'Erf' ? 2e-7 : 0));
    });
  }
  it('Cast float32 → int32 truncates toward zero, int64 → bool', async () => {
    const v: Tensor = { dtype: 'float32', shape: [4], data: Float32Array.from([-1.7, 2.9, 0.2, -0.4]) };
    for (const { y } of await run('Cast', { v }, { to: 'int32' })) expect(Array.from(y.data as Int32Array)).toEqual([-1, 2, 0, 0]);
    for (const { y } of await run('Cast', { v: i64([0, 3, -2]) }, { to: 'bool' })) expect(Array.from(y.data as Uint8Array)).toEqual([0, 1, 1]);
  });
});

describe('indexing layers against a plain reference', () => {
  const x = f32([4, 3, 5], 15);
  it('Gather with negative indices along a middle axis', async () => {
    const idx = i64([2, -3, 0, 2]);
    const ix = [2, 0, 0, 2];
    for (const { y } of await run('Gather', { x, idx }, { axis: 1 })) expectNear(y, [4, 4, 5], Array.from({ length: 80 }, (_, o) => { const [i, j, k] = unravel(o, [4, 4, 5]); return at(x, [i, ix[j], k]); }));
  });
  it('GatherElements', async () => {
    const idx = int([4, 2, 5], 3, 16);
    const id = idx.data as BigInt64Array;
    for (let i = 0; i < id.length; i++) id[i] = BigInt(Math.abs(Number(id[i])) % 3);
    for (const { y } of await run('GatherElements', { x, idx }, { axis: 1 })) expectNear(y, [4, 2, 5], Array.from({ length: 40 }, (_, o) => { const [i, j, k] = unravel(o, [4, 2, 5]); return at(x, [i, Number(id[o]), k]); }));
  });
  it('Expand and Tile', async () => {
    const v = f32([3, 1], 17);
    for (const { y } of await run('Expand', { v }, {}, { s: i64([2, 1, 4]) })) expectNear(y, [2, 3, 4], Array.from({ length: 24 }, (_, o) => v.data[unravel(o, [2, 3, 4])[1]]));
    for (const { y } of await run('Tile', { x }, {}, { r: i64([1, 2, 3]) })) expectNear(y, [4, 6, 15], Array.from({ length: 360 }, (_, o) => { const [i, j, k] = unravel(o, [4, 6, 15]); return at(x, [i, j % 3, k % 5]); }));
  });
  for (const mode of ['constant', 'reflect', 'edge', 'wrap']) {
    it(`Pad ${mode}, with a crop`, async () => {
      const pads = [0, 2, 1, 1, 1, -1];
      const src = (o: number, n: number) => {
        if (o >= 0 && o < n) return o;
        if (mode === 'constant') return -1;
        if (mode === 'edge') return o < 0 ? 0 : n - 1;
        if (mode === 'wrap') return ((o % n) + n) % n;
        return o < 0 ? -o : 2 * (n - 1) - o;
      };
      const shape = [5, 6, 5];
      for (const { y } of await run('Pad', { x }, { mode }, { p: i64(pads), v: { dtype: 'float32', shape: [], data: Float32Array.of(9) } })) {
        expectNear(y, shape, Array.from({ length: size(shape) }, (_, o) => {
          const s = unravel(o, shape).map((c, d) => src(c - pads[d], x.shape[d]));
          return s.some((c) => c < 0) ? 9 : at(x, s);
        }));
      }
    });
  }
  it('DepthToSpace (DCR) and SpaceToDepth invert each other', async () => {
    const v = f32([2, 8, 3, 5], 18);
    const [r1] = await run('DepthToSpace', { v }, { blocksize: 2, mode: 'DCR' });
    expect(r1.y.shape).toEqual([2, 2, 6, 10]);
    expect(at(r1.y as never, [1, 1, 3, 4])).toBe(at(v, [1, 1 + 2 * (1 * 2 + 0), 1, 2]));
    for (const { y } of await run('SpaceToDepth', { v: r1.y }, { blocksize: 2 })) expectNear(y, v.shape, v.data);
  });
});

describe('layers lowered to others', () => {
  const x = f32([2, 3, 4], 21);
  for (const upper of [1, 0]) {
    it(`Trilu (upper = ${upper}) with k = -1 keeps its triangle of the last two axes`, async () => {
      const keep = (i: number, j: number) => (upper ? j - i >= -1 : j - i <= -1);
      for (const { y } of await run('Trilu', { x }, { upper }, { k: { dtype: 'int64', shape: [], data: BigInt64Array.of(-1n) } })) {
        expectNear(y, [2, 3, 4], Array.from({ length: 24 }, (_, o) => { const [, i, j] = unravel(o, [2, 3, 4]); return keep(i, j) ? Number(x.data[o]) : 0; }));
      }
    });
  }
  it('1-D MaxPool and AveragePool run as 2-D windows', async () => {
    const window = (o: number, reduce: (v: number[]) => number) => { const [n, c, l] = unravel(o, [2, 3, 3]); return reduce([0, 1].map((k) => at(x, [n, c, l + k]))); };
    for (const { y } of await run('MaxPool', { x }, { kernel_shape: [2] })) expectNear(y, [2, 3, 3], Array.from({ length: 18 }, (_, o) => window(o, (v) => Math.max(...v))));
    for (const { y } of await run('AveragePool', { x }, { kernel_shape: [2] })) expectNear(y, [2, 3, 3], Array.from({ length: 18 }, (_, o) => window(o, (v) => (v[0] + v[1]) / 2)));
  });
  it('Clip of int64 and one-sided IsInf', async () => {
    const v = i64([-5, 0, 7, 3]);
    for (const { y } of await run('Clip', { v }, {}, { lo: i64([-1]), hi: i64([4]) })) expect(Array.from(y.data as BigInt64Array, Number)).toEqual([-1, 0, 4, 3]);
    const f: Tensor = { dtype: 'float32', shape: [3], data: Float32Array.of(Infinity, -Infinity, 1) };
    for (const { y } of await run('IsInf', { f }, { detect_negative: 0, detect_positive: 1 })) expect(Array.from(y.data as Uint8Array)).toEqual([1, 0, 0]);
  });
});

describe('normalization layers against a plain reference', () => {
  const x = f32([2, 6, 7], 19);
  const normalize = (values: number[]) => {
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
    return values.map((v) => (v - mean) / Math.sqrt(variance + 1e-5));
  };
  it('LayerNormalization over the last two axes', async () => {
    const scale = f32([6, 7], 20), bias = f32([7], 21);
    for (const { y } of await run('LayerNormalization', { x }, { axis: -2, epsilon: 1e-5 }, { scale, bias })) {
      const exp = [0, 1].flatMap((i) => normalize(Array.from(x.data.slice(i * 42, i * 42 + 42))).map((v, e) => v * scale.data[e] + bias.data[e % 7]));
      expectNear(y, x.shape, exp);
    }
  });
  it('GroupNormalization with 3 groups', async () => {
    const scale = f32([6], 22), bias = f32([6], 23);
    for (const { y } of await run('GroupNormalization', { x }, { num_groups: 3, epsilon: 1e-5 }, { scale, bias })) {
      const exp = [0, 1, 2, 3, 4, 5].flatMap((g) => normalize(Array.from(x.data.slice(g * 14, g * 14 + 14))).map((v, e) => { const c = (Math.floor(g % 3) * 2) + Math.floor(e / 7); return v * scale.data[c] + bias.data[c]; }));
      expectNear(y, x.shape, exp);
    }
  });
});
