import { beforeAll, describe, expect, it } from 'vitest';
import { BuildError, Builder, InputError, NetworkDefinition, OptionsError, PlanError, Runtime, type Engine } from '../src/index.js';
import { convSiluNetwork, f32 } from './helpers/networks.js';

let engine: Engine;
let plan: Uint8Array;

beforeAll(async () => {
  engine = await new Builder().build(convSiluNetwork(3, 4, 1, 8));
  plan = engine.serialize();
});

describe('bad plan files', () => {
  it('refuses wrong magic', () => {
    const bytes = plan.slice();
    bytes.set([0x4f, 0x4e, 0x4e, 0x58]);
    expect(() => new Runtime().deserialize(bytes)).toThrow(expect.objectContaining({ name: 'PlanError', code: 'KILN_PLAN_MAGIC' }));
  });

  it('refuses a truncated plan', () => {
    for (const length of [0, 3, 40, 100, plan.length - 1]) {
      expect(() => new Runtime().deserialize(plan.slice(0, length)), `length ${length}`).toThrow(PlanError);
    }
    expect(() => new Runtime().deserialize(plan.slice(0, plan.length - 1))).toThrow(/truncated/);
  });

  it('refuses a plan with a flipped byte anywhere after the header', () => {
    for (const at of [64, 100, Math.floor(plan.length / 2), plan.length - 1]) {
      const bytes = plan.slice();
      bytes[at] ^= 0x10;
      expect(() => new Runtime().deserialize(bytes), `byte ${at}`).toThrow(expect.objectContaining({ code: 'KILN_PLAN_CHECKSUM' }));
    }
  });

  it('refuses a plan from a newer format version', () => {
    const bytes = plan.slice();
    bytes[4] = 99;
    expect(() => new Runtime().deserialize(bytes)).toThrow(expect.objectContaining({ code: 'KILN_PLAN_VERSION' }));
    bytes[4] = 1;
    expect(() => new Runtime().deserialize(bytes)).toThrow(/older Kiln.*rebuild it/);
  });

  it('checkEngine reports the header, or why the plan cannot load', () => {
    const ok = Runtime.checkEngine(plan);
    expect(ok.problems).toEqual([]);
    expect(ok.header).toMatchObject({ formatVersion: 2, isa: engine.isa });
    const bad = Runtime.checkEngine(plan.slice(0, 10));
    expect(bad.header).toBeUndefined();
    expect(bad.problems[0]).toMatch(/truncated|ends early/);
  });
});

describe('bad inputs to execute', () => {
  it('names a missing input and an unknown one', async () => {
    const ctx = engine.createContext();
    expect(() => ctx.execute({})).toThrow(/missing input 'x' \(float32 \[1, 3, 8, 8\]\)/);
    expect(() => ctx.execute({ x: f32([1, 3, 8, 8]), images: f32([1]) })).toThrow(/unknown input 'images'/);
  });

  it('names the expected shape and dtype', () => {
    const ctx = engine.createContext();
    expect(() => ctx.execute({ x: f32([1, 3, 8, 9]) })).toThrow(/input 'x' must have shape \[1, 3, 8, 8\], got \[1, 3, 8, 9\]/);
    expect(() => ctx.execute({ x: { dtype: 'int32', shape: [1, 3, 8, 8], data: new Int32Array(192) } })).toThrow(/must be float32, got int32/);
    expect(() => ctx.execute({ x: { dtype: 'float32', shape: [1, 3, 8, 8], data: new Float32Array(10) } })).toThrow(InputError);
  });
});

describe('bad networks and options', () => {
  it('lists every layer the engine cannot run, each by name', async () => {
    const n = convSiluNetwork();
    n.addLayer({ name: 'weird1', type: 'Mystery', inputs: ['y'], outputs: ['z1'], attributes: {} });
    n.markOutput('z1');
    await expect(new Builder().build(n)).rejects.toThrow(BuildError);
    await expect(new Builder().build(n)).rejects.toThrow(/weird1.*Mystery/);
  });

  it('refuses invalid build options with every problem named', async () => {
    await expect(new Builder().build(convSiluNetwork(), { threads: -1, precision: 'fp64' } as never)).rejects.toThrow(OptionsError);
    await expect(new Builder().build(convSiluNetwork(), { threads: -1 })).rejects.toThrow(/threads/);
  });

  it('refuses a network without outputs', async () => {
    const n = new NetworkDefinition();
    n.addInput('x', 'float32', [1]);
    await expect(new Builder().build(n)).rejects.toThrow(/no outputs/);
  });
});
