import { describe, expect, it } from 'vitest';
import { Builder, BuildError, Logger, NetworkDefinition, OptionsError, int8Support, supportedIsas, type CalibrationBatch, type Int8Calibrator, type TensorStatistics } from '../src/index.js';
import { f32 } from './helpers/networks.js';

const SIZE = 12;

/** Conv+SiLU → 1×1 Conv+SiLU → 3×3 Conv+SiLU + residual → MaxPool → Concat → nearest ×2 → 1×1 head. */
function yoloLikeNetwork(): NetworkDefinition {
  const n = new NetworkDefinition();
  n.addInput('x', 'float32', [1, 3, SIZE, SIZE]);
  const conv = (name: string, input: string, cin: number, cout: number, k: number, silu: boolean, seed: number): string => {
    n.addConstant(`${name}.w`, { ...f32([cout, cin, k, k], seed), data: f32([cout, cin, k, k], seed).data.map((v) => v * 0.5) });
    n.addConstant(`${name}.b`, f32([cout], seed + 1));
    const pad = (k - 1) / 2;
    n.addLayer({ name, type: 'Conv', inputs: [input, `${name}.w`, `${name}.b`], outputs: [`${name}.out`], attributes: { pads: [pad, pad, pad, pad], strides: [1, 1], dilations: [1, 1], group: 1 } });
    if (!silu) return `${name}.out`;
    n.addLayer({ name: `${name}.sigmoid`, type: 'Sigmoid', inputs: [`${name}.out`], outputs: [`${name}.s`], attributes: {} });
    n.addLayer({ name: `${name}.mul`, type: 'Mul', inputs: [`${name}.out`, `${name}.s`], outputs: [`${name}.y`], attributes: {} });
    return `${name}.y`;
  };
  const a = conv('conv1', 'x', 3, 8, 3, true, 11);
  const b = conv('conv2', a, 8, 8, 1, true, 21);
  const c = conv('conv3', b, 8, 8, 3, true, 31);
  n.addLayer({ name: 'add', type: 'Add', inputs: [a, c], outputs: ['sum'], attributes: {} });
  n.addLayer({ name: 'pool', type: 'MaxPool', inputs: ['sum'], outputs: ['pooled'], attributes: { kernel_shape: [5, 5], pads: [2, 2, 2, 2], strides: [1, 1] } });
  n.addLayer({ name: 'cat', type: 'Concat', inputs: ['sum', 'pooled'], outputs: ['cat'], attributes: { axis: 1 } });
  n.addConstant('scales', { dtype: 'float32', shape: [4], data: new Float32Array([1, 1, 2, 2]) });
  n.addLayer({ name: 'up', type: 'Resize', inputs: ['cat', '', 'scales'], outputs: ['up'], attributes: { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' } });
  const y = conv('head', 'up', 16, 6, 1, false, 41);
  n.markOutput(y);
  return n;
}

const batches = (count: number, seed = 100): CalibrationBatch[] => Array.from({ length: count }, (_, i) => ({ x: f32([1, 3, SIZE, SIZE], seed + i) }));

/** Scales from the observed extremes (min-max), remembering what it was given. */
function minMaxCalibrator(data: CalibrationBatch[], extra: Partial<Int8Calibrator> = {}): Int8Calibrator & { seen?: ReadonlyMap<string, TensorStatistics>; batchesRead: number } {
  const calibrator = {
    method: 'MinMax',
    batchCount: data.length,
    batchesRead: 0,
    seen: undefined as ReadonlyMap<string, TensorStatistics> | undefined,
    async *batches() {
      for (const batch of data) {
        calibrator.batchesRead++;
        yield batch;
      }
    },
    computeScales(stats: ReadonlyMap<string, TensorStatistics>) {
      calibrator.seen = stats;
      return new Map([...stats].map(([name, s]) => [name, Math.max(Math.abs(s.min), Math.abs(s.max)) / 127]));
    },
    ...extra,
  };
  return calibrator;
}

async function run(engine: Awaited<ReturnType<Builder['build']>>, x: CalibrationBatch['x']): Promise<Float32Array> {
  const out = await engine.createContext().execute({ x });
  return out[engine.outputs[0]!.name]!.data as Float32Array;
}

const types = (layers: readonly { type: string }[]) => layers.map((l) => l.type);

describe('INT8 builds', () => {
  for (const isa of supportedIsas()) {
    it(`stay close to FP32 with the pools, concat, resize and residual in u8 (${isa})`, async () => {
      const calibration = batches(6);
      const int8 = await new Builder().build(yoloLikeNetwork(), { precision: 'int8', calibrator: minMaxCalibrator(calibration), isa });
      const fp32 = await new Builder().build(yoloLikeNetwork(), { isa });
      const layerTypes = types(int8.layers);
      expect(layerTypes.filter((t) => t === 'QConv')).toHaveLength(3);
      expect(layerTypes).not.toContain('Add');
      expect(layerTypes.filter((t) => t === 'Quantize')).toHaveLength(1);
      expect(layerTypes.filter((t) => t === 'Dequantize')).toHaveLength(1);
      expect(int8.build.precision).toBe('int8');
      for (const x of [calibration[0]!.x, f32([1, 3, SIZE, SIZE], 999)]) {
        const [q, f] = await Promise.all([run(int8, x), run(fp32, x)]);
        const range = Math.max(...f.map(Math.abs));
        const diffs = f.map((v, i) => Math.abs(v - q[i]!));
        expect(Math.max(...diffs)).toBeLessThan(0.06 * range);
        expect(diffs.reduce((a, b) => a + b, 0) / diffs.length).toBeLessThan(0.012 * range);
      }
    });
  }

  it('keep a layer in FP32 when layerPrecision says so', async () => {
    const engine = await new Builder().build(yoloLikeNetwork(), { precision: 'int8', calibrator: minMaxCalibrator(batches(3)), layerPrecision: { conv2: 'fp32' } });
    const byName = new Map(engine.layers.map((l) => [l.name, l.type]));
    expect(byName.get('conv2')).toBe('Conv');
    expect(byName.get('conv1')).toBe('QConv');
    const x = f32([1, 3, SIZE, SIZE], 5);
    const fp32 = await new Builder().build(yoloLikeNetwork());
    const [q, f] = await Promise.all([run(engine, x), run(fp32, x)]);
    const range = Math.max(...f.map(Math.abs));
    expect(Math.max(...f.map((v, i) => Math.abs(v - q[i]!)))).toBeLessThan(0.06 * range);
  });

  it('hand the calibrator native histograms of every tensor it needs', async () => {
    const data = batches(3);
    const calibrator = minMaxCalibrator(data);
    await new Builder().build(yoloLikeNetwork(), { precision: 'int8', calibrator });
    const stats = calibrator.seen!;
    for (const name of ['x', 'conv1.y', 'conv3.y', 'sum', 'pooled', 'cat', 'up']) expect(stats.has(name), name).toBe(true);
    const x = stats.get('x')!;
    const all = data.flatMap((b) => [...(b.x.data as Float32Array)]);
    expect(x.min).toBe(Math.min(...all));
    expect(x.max).toBe(Math.max(...all));
    expect(x.counts.reduce((a, b) => a + b, 0)).toBe(all.length);
    expect(x.positiveCounts!.reduce((a, b) => a + b, 0)).toBe(all.filter((v) => v > 0).length);
    // The bin width comes from the first batch's largest |x| over 2048 bins.
    const first = Math.max(...[...(data[0]!.x.data as Float32Array)].map(Math.abs));
    expect(x.binWidth).toBeCloseTo(first / 2048, 9);
    const bin = (v: number) => Math.min(Math.floor(Math.abs(v) / x.binWidth), x.counts.length - 1);
    const expected = new Float64Array(x.counts.length);
    for (const v of all) expected[bin(v)]! += 1;
    let mismatched = 0;
    expected.forEach((c, i) => (mismatched += Math.abs(c - x.counts[i]!)));
    expect(mismatched).toBeLessThanOrEqual(4); // values on a bin edge may round either way
  });

  it('use cached scales without running batches, and build the same engine', async () => {
    const first = minMaxCalibrator(batches(3));
    const fromData = await new Builder().build(yoloLikeNetwork(), { precision: 'int8', calibrator: first });
    let written: ReadonlyMap<string, number> | undefined;
    const writer = minMaxCalibrator(batches(3), { writeCache: async (s) => void (written = s) });
    await new Builder().build(yoloLikeNetwork(), { precision: 'int8', calibrator: writer });
    const cached = minMaxCalibrator(batches(3), { readCache: async () => written });
    const fromCache = await new Builder().build(yoloLikeNetwork(), { precision: 'int8', calibrator: cached });
    expect(cached.batchesRead).toBe(0);
    const x = f32([1, 3, SIZE, SIZE], 77);
    expect(await run(fromCache, x)).toEqual(await run(fromData, x));
  });
});

describe('INT8 dynamic ranges', () => {
  it('take a known input range in place of a calibrated scale', async () => {
    let written: ReadonlyMap<string, number> | undefined;
    await new Builder().build(yoloLikeNetwork(), { precision: 'int8', calibrator: minMaxCalibrator(batches(3), { writeCache: async (s) => void (written = s) }) });
    const withoutInput = new Map([...written!].filter(([name]) => name !== 'x'));
    const fromCache = () => minMaxCalibrator([], { readCache: async () => withoutInput });
    await expect(new Builder().build(yoloLikeNetwork(), { precision: 'int8', calibrator: fromCache() })).rejects.toThrow(/'x'/);
    const engine = await new Builder().build(yoloLikeNetwork(), { precision: 'int8', calibrator: fromCache(), dynamicRanges: { x: [-1, 1] } });
    const fp32 = await new Builder().build(yoloLikeNetwork());
    const x = f32([1, 3, SIZE, SIZE], 4);
    const [q, f] = await Promise.all([run(engine, x), run(fp32, x)]);
    const range = Math.max(...f.map(Math.abs));
    expect(Math.max(...f.map((v, i) => Math.abs(v - q[i]!)))).toBeLessThan(0.06 * range);
  });

  it('refuse a tensor the optimized network does not have, naming it', async () => {
    await expect(new Builder().build(yoloLikeNetwork(), { precision: 'int8', calibrator: minMaxCalibrator(batches(1)), dynamicRanges: { imgs: [0, 1] } })).rejects.toThrow(
      /dynamicRanges names 'imgs', which is neither an input nor a layer output/,
    );
  });

  it('refuse an empty or reversed range', async () => {
    for (const bad of [[1, -1], [0, 0]] as [number, number][]) {
      await expect(new Builder().build(yoloLikeNetwork(), { precision: 'int8', calibrator: minMaxCalibrator(batches(1)), dynamicRanges: { x: bad } })).rejects.toThrow(OptionsError);
    }
  });
});

describe('INT8 region boundaries', () => {
  it('write a tensor FP32 layers also read as float, and quantize a copy for the INT8 readers', async () => {
    // conv1 → conv2 (INT8) and conv1 → Sigmoid (FP32, an output): conv1 writes float.
    const n = new NetworkDefinition();
    n.addInput('x', 'float32', [1, 4, 10, 10]);
    for (const [name, input, output, cin] of [['conv1', 'x', 'a', 4], ['conv2', 'a', 'b', 6]] as const) {
      n.addConstant(`${name}.w`, f32([6, cin, 3, 3], cin));
      n.addConstant(`${name}.b`, f32([6], cin + 1));
      n.addLayer({ name, type: 'Conv', inputs: [input, `${name}.w`, `${name}.b`], outputs: [output], attributes: { pads: [1, 1, 1, 1], activation: 'relu' } });
    }
    n.addLayer({ name: 'pool', type: 'MaxPool', inputs: ['b'], outputs: ['pooled'], attributes: { kernel_shape: [2, 2], strides: [2, 2] } });
    n.addLayer({ name: 'head', type: 'Sigmoid', inputs: ['a'], outputs: ['s'], attributes: {} });
    n.markOutput('pooled');
    n.markOutput('s');
    const data = Array.from({ length: 3 }, (_, i) => ({ x: f32([1, 4, 10, 10], 50 + i) }));
    const engine = await new Builder().build(n, { precision: 'int8', calibrator: minMaxCalibrator(data), layerPrecision: { conv1: 'int8', conv2: 'int8' } });
    const types = engine.layers.map((l) => l.type);
    expect(types.filter((t) => t === 'QConv')).toHaveLength(2);
    expect(types.filter((t) => t === 'Quantize')).toHaveLength(2); // x, and the copy of a for conv2
    expect(types).not.toContain('Dequantize'); // both convolutions write float (the pool is an output)
    const fp32 = await new Builder().build(n);
    const x = f32([1, 4, 10, 10], 99);
    const [q, f] = await Promise.all([engine.createContext().execute({ x }), fp32.createContext().execute({ x })]);
    const diff = (name: string) => Math.max(...(f[name]!.data as Float32Array).map((v, i) => Math.abs(v - (q[name]!.data as Float32Array)[i]!)));
    expect(diff('s')).toBeLessThan(0.02);
    expect(diff('pooled')).toBeLessThan(0.05 * Math.max(...(f.pooled!.data as Float32Array)));
  });
});

describe('INT8 on this CPU', () => {
  it('warns when the CPU has no native u8×s8 (VNNI/AMX), and still builds INT8', async () => {
    const messages: string[] = [];
    const logger = new Logger({ severity: 'warning', sink: (severity, message) => messages.push(`${severity}: ${message}`) });
    const engine = await new Builder({ logger }).build(yoloLikeNetwork(), { precision: 'int8', calibrator: minMaxCalibrator(batches(2)) });
    expect(engine.layers.find((l) => l.name === 'conv1')!.type).toBe('QConv');
    const { fast, path } = int8Support();
    const warning = messages.find((m) => m.includes('no fast INT8 instructions'));
    if (fast) expect(warning).toBeUndefined();
    else expect(warning).toContain(`the ${path} path`);
  });
});

describe('INT8 failures', () => {
  it('int8 without a calibrator is an options error', async () => {
    await expect(new Builder().build(yoloLikeNetwork(), { precision: 'int8' })).rejects.toThrow(OptionsError);
  });

  it('a calibrator with no batches is refused', async () => {
    const error = await new Builder().build(yoloLikeNetwork(), { precision: 'int8', calibrator: minMaxCalibrator([]) }).catch((e) => e);
    expect(error).toBeInstanceOf(BuildError);
    expect(error.code).toBe('KILN_CALIBRATION');
  });

  it('a batch of the wrong shape names the batch and the input', async () => {
    const bad = [...batches(2), { x: f32([1, 3, SIZE + 1, SIZE], 1) }];
    const error = await new Builder().build(yoloLikeNetwork(), { precision: 'int8', calibrator: minMaxCalibrator(bad) }).catch((e) => e);
    expect(error).toBeInstanceOf(BuildError);
    expect(error.message).toMatch(/calibration batch 2: .*'x'/);
  });

  it('a cache from another model names the tensors it lacks', async () => {
    const foreign = new Map([['images', 0.01], ['/model.0/conv/Conv_output_0', 0.02]]);
    const error = await new Builder().build(yoloLikeNetwork(), { precision: 'int8', calibrator: minMaxCalibrator(batches(1), { readCache: async () => foreign }) }).catch((e) => e);
    expect(error).toBeInstanceOf(BuildError);
    expect(error.code).toBe('KILN_CALIBRATION');
    expect(error.message).toMatch(/'x'/);
    expect(error.message).toMatch(/another model/);
  });
});

describe('INT8 plans', () => {
  it('round-trip through serialize and deserialize with the same results', async () => {
    const { Runtime } = await import('../src/index.js');
    const engine = await new Builder().build(yoloLikeNetwork(), { precision: 'int8', calibrator: minMaxCalibrator(batches(2)) });
    const loaded = new Runtime().deserialize(engine.serialize());
    expect(loaded.build.precision).toBe('int8');
    const x = f32([1, 3, SIZE, SIZE], 8);
    expect(await run(loaded, x)).toEqual(await run(engine, x));
  });
});
