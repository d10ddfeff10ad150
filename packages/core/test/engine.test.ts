import { describe, expect, it } from 'vitest';
import { Builder, InputError, Runtime, supportedIsas, type Tensor } from '../src/index.js';
import { convSiluNetwork, f32, maxAbsDiff, referenceConv, silu } from './helpers/networks.js';

function expectedConvSilu(network: ReturnType<typeof convSiluNetwork>, x: Tensor<'float32'>): Float32Array {
  const w = network.constants.get('w') as Tensor<'float32'>;
  const b = network.constants.get('b') as Tensor<'float32'>;
  return referenceConv(x, w, b.data, 1).map(silu);
}

describe('engine', () => {
  for (const isa of supportedIsas()) {
    it(`runs Conv+SiLU like the reference on the ${isa} path`, async () => {
      const network = convSiluNetwork(5, 17, 2, 11);
      const engine = await new Builder().build(network, { isa, threads: 2 });
      expect(engine.isa).toBe(isa);
      const x = f32([2, 5, 11, 11], 3);
      const { y } = await engine.createContext().execute({ x });
      expect(y.shape).toEqual([2, 17, 11, 11]);
      expect(maxAbsDiff(y.data as Float32Array, expectedConvSilu(network, x))).toBeLessThan(1e-4);
    });
  }

  it('fuses SiLU into the convolution', async () => {
    const engine = await new Builder().build(convSiluNetwork());
    expect(engine.layers.map((l) => l.type)).toEqual(['Conv']);
    expect(engine.build.layersBefore).toBe(3);
  });

  it('gives bit-identical outputs after a serialize → deserialize round trip', async () => {
    const engine = await new Builder().build(convSiluNetwork(3, 8, 1, 16), { threads: 2 });
    const x = f32([1, 3, 16, 16], 5);
    const before = await engine.createContext().execute({ x });
    const loaded = new Runtime().deserialize(engine.serialize());
    const after = await loaded.createContext().execute({ x });
    expect(Buffer.from((after.y.data as Float32Array).buffer).equals(Buffer.from((before.y.data as Float32Array).buffer))).toBe(true);
    expect(loaded.inputs).toEqual(engine.inputs);
    expect(loaded.layers.map((l) => l.tactic)).toEqual(engine.layers.map((l) => l.tactic));
  });

  it('accepts any batch for a dynamic batch dimension and re-plans memory', async () => {
    const network = convSiluNetwork(3, 4, 'batch', 6);
    const engine = await new Builder().build(network);
    const ctx = engine.createContext();
    for (const batch of [1, 3, 2]) {
      const x = f32([batch, 3, 6, 6], batch);
      const { y } = await ctx.execute({ x });
      expect(y.shape).toEqual([batch, 4, 6, 6]);
      expect(maxAbsDiff(y.data as Float32Array, expectedConvSilu(network, x))).toBeLessThan(1e-4);
    }
  });

  it('keeps every large (recycled-memory) output intact while it is referenced', async () => {
    // 16 × 128 × 128 float32 = 1 MiB: taken from the output buffer pool and given back when collected.
    const network = convSiluNetwork(3, 16, 1, 128);
    const engine = await new Builder().build(network, { threads: 2 });
    const ctx = engine.createContext();
    const inputs = Array.from({ length: 6 }, (_, i) => f32([1, 3, 128, 128], 40 + i));
    const kept: Float32Array[] = [];
    for (let round = 0; round < 8; round++) {
      for (const x of inputs) {
        const { y } = await ctx.execute({ x });
        if (round === 0) kept.push(y.data as Float32Array);
        else if (round === 7) expect(maxAbsDiff(y.data as Float32Array, expectedConvSilu(network, x))).toBeLessThan(1e-4);
      }
    }
    kept.forEach((y, i) => expect(maxAbsDiff(y, expectedConvSilu(network, inputs[i]))).toBeLessThan(1e-4));
  });

  it.each([1, 2])('runs several contexts of one %i-thread engine at once', async (threads) => {
    const network = convSiluNetwork(4, 8, 1, 40);
    const engine = await new Builder().build(network, { threads });
    const inputs = [1, 2, 3, 4].map((seed) => f32([1, 4, 40, 40], seed));
    const contexts = inputs.map(() => engine.createContext());
    // Every context executes five times while the others do, so that their layers overlap.
    const results = await Promise.all(
      contexts.map(async (ctx, i) => {
        const outputs = [];
        for (let round = 0; round < 5; round++) outputs.push((await ctx.execute({ x: inputs[i] })).y.data as Float32Array);
        return outputs;
      }),
    );
    results.forEach((outputs, i) => outputs.forEach((y) => expect(maxAbsDiff(y, expectedConvSilu(network, inputs[i]))).toBeLessThan(1e-4)));
  });

  it('executeSync gives what execute gives, on the calling thread, and refuses to run ahead of a queued execute', async () => {
    const network = convSiluNetwork(4, 8, 1, 24);
    const engine = await new Builder().build(network, { threads: 2 });
    const ctx = engine.createContext();
    const x = f32([1, 4, 24, 24], 7);
    const viaPromise = await ctx.execute({ x });
    const viaSync = ctx.executeSync({ x });
    expect(viaSync.y.shape).toEqual(viaPromise.y.shape);
    expect(Buffer.from((viaSync.y.data as Float32Array).buffer).equals(Buffer.from((viaPromise.y.data as Float32Array).buffer))).toBe(true);

    const queued = ctx.execute({ x });
    expect(() => ctx.executeSync({ x })).toThrow(expect.objectContaining({ code: 'KILN_CONTEXT_BUSY' }));
    const other = engine.createContext().executeSync({ x });
    expect(maxAbsDiff(other.y.data as Float32Array, expectedConvSilu(network, x))).toBeLessThan(1e-4);
    await queued;
    expect(maxAbsDiff(ctx.executeSync({ x }).y.data as Float32Array, expectedConvSilu(network, x))).toBeLessThan(1e-4);
    expect(() => ctx.executeSync({ x: f32([1, 4, 23, 24], 7) })).toThrow(InputError);
  });

  it('queues concurrent calls on one context instead of mixing them', async () => {
    const network = convSiluNetwork(3, 4, 1, 8);
    const ctx = (await new Builder().build(network)).createContext();
    const inputs = [1, 2, 3].map((seed) => f32([1, 3, 8, 8], seed));
    const results = await Promise.all(inputs.map((x) => ctx.execute({ x })));
    results.forEach((r, i) => expect(maxAbsDiff(r.y.data as Float32Array, expectedConvSilu(network, inputs[i]))).toBeLessThan(1e-4));
  });

  it('reports tactic timing progress and records the timings', async () => {
    const phases = new Set<string>();
    const network = convSiluNetwork(8, 8, 1, 16);
    network.layers[0].attributes.pads = [0, 0, 0, 0];
    network.constants.set('w', f32([8, 8, 1, 1], 2));
    const engine = await new Builder().build(network, { onProgress: (phase) => phases.add(phase) });
    expect([...phases]).toEqual(expect.arrayContaining(['optimizing', 'lowering', 'compiling', 'timing tactics']));
    expect(engine.layers[0].timings.length).toBeGreaterThan(1);
    expect(engine.layers[0].timings.map((t) => t.tactic)).toContain(engine.layers[0].tactic);
  });
});

describe('planning input shapes ahead', () => {
  it('returns the output shapes and refuses shapes outside the profile', async () => {
    const network = convSiluNetwork(3, 4, 'batch', 6);
    const engine = await new Builder().build(network, { profiles: { x: { min: [1, 3, 6, 6], opt: [2, 3, 6, 6], max: [4, 3, 6, 6] } } });
    const ctx = engine.createContext();
    expect(await ctx.setInputShapes({ x: [3, 3, 6, 6] })).toEqual({ y: [3, 4, 6, 6] });
    expect(ctx.memoryBytes).toBeGreaterThan(0);
    await expect(ctx.setInputShapes({ x: [5, 3, 6, 6] })).rejects.toThrow(/input 'x': expected shape \[\?, 3, 6, 6\] \(dynamic dims between \[1, 3, 6, 6\] and \[4, 3, 6, 6\]\), got \[5, 3, 6, 6\]/);
    await expect(ctx.setInputShapes({ x: [2, 3, 6, 7] })).rejects.toThrow(/must have shape \[batch, 3, 6, 6\]/);
    await expect(ctx.execute({ x: f32([5, 3, 6, 6]) })).rejects.toThrow(/dynamic dims between/);
    const { y } = await ctx.execute({ x: f32([2, 3, 6, 6], 2) });
    expect(y.shape).toEqual([2, 4, 6, 6]);
  });
});
