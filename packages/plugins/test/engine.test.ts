import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Builder, NetworkDefinition, PluginError, Runtime, supportedIsas } from '@kiln/core';
import { OnnxParseError, OnnxParser } from '@kiln/parser-onnx';
import { beforeAll, describe, expect, it } from 'vitest';
import { PluginRegistry } from '../src/index.js';
import { CUSTOM_MODELS, buildLibraries, type BuiltLibraries } from './helpers.js';

let libs: BuiltLibraries;
let registry: PluginRegistry;
beforeAll(async () => {
  libs = await buildLibraries();
  registry = new PluginRegistry();
  registry.load(libs.scaledSwish);
  registry.load(libs.misbehaving);
});

function swishNetwork(type = 'ScaledSwish', domain = 'kiln.examples'): NetworkDefinition {
  const n = new NetworkDefinition();
  n.addInput('x', 'float32', ['batch', 3, 5]);
  n.addLayer({ name: 'custom', type, domain, inputs: ['x'], outputs: ['y'], attributes: type === 'ScaledSwish' ? { beta: 1.5 } : {} });
  n.markOutput('y');
  return n;
}

const input = (batch: number) => ({ dtype: 'float32' as const, shape: [batch, 3, 5], data: Float32Array.from({ length: batch * 15 }, (_, i) => Math.sin(i) * 4) });
const swish = (x: number) => x / (1 + Math.exp(-1.5 * x));

describe('plugin layers in engines', () => {
  it('computes with the plugin on every ISA, for any batch, and passes its fields', async () => {
    for (const isa of supportedIsas()) {
      const engine = await new Builder({ plugins: registry }).build(swishNetwork(), { isa });
      expect(engine.layers.map((l) => l.type)).toEqual(['Plugin']);
      const ctx = engine.createContext();
      for (const batch of [1, 3]) {
        const x = input(batch);
        const { y } = await ctx.execute({ x });
        expect(y.shape).toEqual([batch, 3, 5]);
        Array.from(y.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(swish(x.data[i]), 5));
      }
    }
  });

  it('records the plugin in the plan: loads with the library registered, fails naming it without', async () => {
    const engine = await new Builder({ plugins: registry }).build(swishNetwork());
    const plan = engine.serialize();
    const x = input(2);
    const before = await engine.createContext().execute({ x });
    const loaded = new Runtime({ plugins: registry }).deserialize(plan);
    const after = await loaded.createContext().execute({ x });
    expect(Array.from(after.y.data as Float32Array)).toEqual(Array.from(before.y.data as Float32Array));
    expect(() => new Runtime().deserialize(plan)).toThrow(PluginError);
    expect(() => new Runtime().deserialize(plan)).toThrow(/needs plugin 'ScaledSwish' version '1' \(namespace 'kiln.examples'\)/);
  });

  it('parses an ONNX model with the custom op into a plugin layer that matches the standard-op version', async () => {
    const custom = new NetworkDefinition();
    new OnnxParser(custom, { plugins: registry }).parse(await readFile(path.join(CUSTOM_MODELS, 'conv-scaled-swish.onnx')));
    expect(custom.layers.find((l) => l.name === 'swish')).toMatchObject({ type: 'ScaledSwish', domain: 'kiln.examples', attributes: { beta: 1.5 } });
    const reference = new NetworkDefinition();
    new OnnxParser(reference).parse(await readFile(path.join(CUSTOM_MODELS, 'conv-scaled-swish-reference.onnx')));
    const x = { dtype: 'float32' as const, shape: [1, 3, 8, 8], data: Float32Array.from({ length: 192 }, (_, i) => Math.cos(i)) };
    const a = await (await new Builder({ plugins: registry }).build(custom)).createContext().execute({ x });
    const b = await (await new Builder().build(reference)).createContext().execute({ x });
    const diff = Math.max(...Array.from(a.y.data as Float32Array, (v, i) => Math.abs(v - (b.y.data as Float32Array)[i])));
    expect(diff).toBeLessThan(1e-5);
  });

  it('refuses the custom op when no registry knows it', async () => {
    const bytes = await readFile(path.join(CUSTOM_MODELS, 'conv-scaled-swish.onnx'));
    expect(() => new OnnxParser(new NetworkDefinition()).parse(bytes)).toThrow(OnnxParseError);
    expect(() => new OnnxParser(new NetworkDefinition()).parse(bytes)).toThrow(/ScaledSwish/);
    await expect(new Builder().build(swishNetwork())).rejects.toThrow(/layer 'custom'.*ScaledSwish/);
  });
});

describe('misbehaving plugins', () => {
  it('an execution error rejects with the plugin message and leaves Kiln usable', async () => {
    const engine = await new Builder({ plugins: registry }).build(swishNetwork('FailingOp', 'kiln.tests'), { timeTactics: false });
    const ctx = engine.createContext();
    await expect(ctx.execute({ x: input(1) })).rejects.toThrow(/deliberate failure in FailingOp/);
    await expect(ctx.execute({ x: input(1) })).rejects.toThrow(PluginError);
    const healthy = await new Builder({ plugins: registry }).build(swishNetwork());
    expect((await healthy.createContext().execute({ x: input(1) })).y.shape).toEqual([1, 3, 5]);
  });

  it('inconsistent output shapes fail the build with the plugin named', async () => {
    await expect(new Builder({ plugins: registry }).build(swishNetwork('BadShapes', 'kiln.tests'))).rejects.toThrow(/plugin BadShapes 1\).*reported dimension -7/);
  });

  it('a huge workspace request fails at execution with the size named', async () => {
    const engine = await new Builder({ plugins: registry }).build(swishNetwork('GreedyOp', 'kiln.tests'), { timeTactics: false });
    await expect(engine.createContext().execute({ x: input(1) })).rejects.toThrow(/asks for a 1125899906842624-byte workspace/);
  });
});
