import { describe, expect, it } from 'vitest';
import { Builder, NetworkDefinition } from '../../src/index.js';
import { fuseConvActivations } from '../../src/optimizer/conv-activation-fusion.js';
import { fuseConvResidualAdds } from '../../src/optimizer/conv-residual-add-fusion.js';
import { f32, maxAbsDiff } from '../helpers/networks.js';

/**
 * A YOLOv5 bottleneck: r = SiLU(Conv1x1(x)), y = x + SiLU(Conv3x3(r)); `swap` writes the Add's
 * operands the other way round, `bias: false` leaves the second Conv without one.
 */
function bottleneck(options: { swap?: boolean; bias?: boolean; channels?: number; size?: [number, number]; depthwise?: boolean } = {}): NetworkDefinition {
  const c = options.channels ?? 6;
  const [h, w] = options.size ?? [7, 9];
  const n = new NetworkDefinition();
  n.addInput('x', 'float32', [1, c, h, w]);
  n.addConstant('w1', f32([c, c, 1, 1], 2));
  n.addConstant('b1', f32([c], 3));
  n.addConstant('w2', f32([c, options.depthwise ? 1 : c, 3, 3], 4));
  n.addConstant('b2', f32([c], 5));
  n.addLayer({ name: 'cv1', type: 'Conv', inputs: ['x', 'w1', 'b1'], outputs: ['c1'], attributes: {} });
  n.addLayer({ name: 's1', type: 'Sigmoid', inputs: ['c1'], outputs: ['g1'], attributes: {} });
  n.addLayer({ name: 'm1', type: 'Mul', inputs: ['c1', 'g1'], outputs: ['r'], attributes: {} });
  n.addLayer({ name: 'cv2', type: 'Conv', inputs: options.bias === false ? ['r', 'w2'] : ['r', 'w2', 'b2'], outputs: ['c2'], attributes: { pads: [1, 1, 1, 1], ...(options.depthwise ? { group: c } : {}) } });
  n.addLayer({ name: 's2', type: 'Sigmoid', inputs: ['c2'], outputs: ['g2'], attributes: {} });
  n.addLayer({ name: 'm2', type: 'Mul', inputs: ['c2', 'g2'], outputs: ['t'], attributes: {} });
  n.addLayer({ name: 'add', type: 'Add', inputs: options.swap ? ['t', 'x'] : ['x', 't'], outputs: ['y'], attributes: {} });
  n.markOutput('y');
  return n;
}

/** A ResNet basic block: y = Relu(Conv3x3(Relu(Conv3x3(x))) + x). */
function basicBlock(options: { channels?: number; size?: [number, number]; depthwise?: boolean } = {}): NetworkDefinition {
  const c = options.channels ?? 6;
  const [h, w] = options.size ?? [7, 9];
  const n = new NetworkDefinition();
  n.addInput('x', 'float32', [1, c, h, w]);
  n.addConstant('w1', f32([c, c, 3, 3], 12));
  n.addConstant('b1', f32([c], 13));
  n.addConstant('w2', f32([c, options.depthwise ? 1 : c, 3, 3], 14));
  n.addConstant('b2', f32([c], 15));
  const pads = { pads: [1, 1, 1, 1] };
  n.addLayer({ name: 'conv1', type: 'Conv', inputs: ['x', 'w1', 'b1'], outputs: ['c1'], attributes: pads });
  n.addLayer({ name: 'relu1', type: 'Relu', inputs: ['c1'], outputs: ['r'], attributes: {} });
  n.addLayer({ name: 'conv2', type: 'Conv', inputs: ['r', 'w2', 'b2'], outputs: ['c2'], attributes: { ...pads, ...(options.depthwise ? { group: c } : {}) } });
  n.addLayer({ name: 'add', type: 'Add', inputs: ['c2', 'x'], outputs: ['sum'], attributes: {} });
  n.addLayer({ name: 'relu2', type: 'Relu', inputs: ['sum'], outputs: ['y'], attributes: {} });
  n.markOutput('y');
  return n;
}

describe('Conv+residual Add fusion', () => {
  it('takes in the activation after the Add (ResNet), applied to the sum', () => {
    const n = basicBlock();
    fuseConvActivations(n);
    expect(fuseConvResidualAdds(n)).toBe(1);
    expect(n.layers.map((l) => l.type)).toEqual(['Conv', 'Conv']);
    expect(n.layers[1]).toMatchObject({ inputs: ['r', 'w2', 'b2', 'x'], outputs: ['y'], attributes: { activation: 'relu', activation_after_residual: 1 } });

    const shared = basicBlock();
    shared.markOutput('sum');
    fuseConvActivations(shared);
    expect(fuseConvResidualAdds(shared)).toBe(1);
    expect(shared.layers.map((l) => l.type)).toEqual(['Conv', 'Conv', 'Relu']);
    expect(shared.layers[1].attributes.activation_after_residual).toBeUndefined();
  });

  for (const [what, options] of [
    ['3x3', {}],
    ['wide rows', { channels: 20, size: [13, 70] as [number, number] }],
    ['depthwise', { depthwise: true, channels: 8 }],
  ] as const) {
    it(`computes relu(conv + residual) like the separate Add and Relu (${what})`, async () => {
      const x = f32(basicBlock(options).inputs[0].shape as number[], 19);
      for (const timeTactics of [false, true]) {
        const engine = await new Builder().build(basicBlock(options), { timeTactics });
        expect(engine.layers.map((l) => l.type)).toEqual(['Conv', 'Conv']);
        const { y } = await engine.createContext().execute({ x });
        const apart = basicBlock(options);
        apart.markOutput('sum');
        const unfused = await new Builder().build(apart, { timeTactics });
        expect(unfused.layers.map((l) => l.type)).toEqual(['Conv', 'Conv', 'Unary']);
        const ref = await unfused.createContext().execute({ x });
        expect(Math.min(...(y.data as Float32Array))).toBe(0);
        // Timed, the two engines may pick different tactics (Winograd rounds differently).
        const scale = Math.max(...(ref.y.data as Float32Array).map(Math.abs));
        expect(maxAbsDiff(y.data as Float32Array, ref.y.data as Float32Array)).toBeLessThan(2e-4 * (1 + scale));
      }
    });
  }

  it('gives the Conv the residual as a 4th input and the Add output', () => {
    const n = bottleneck();
    fuseConvActivations(n);
    expect(fuseConvResidualAdds(n)).toBe(1);
    expect(n.layers.map((l) => l.type)).toEqual(['Conv', 'Conv']);
    expect(n.layers[1].inputs).toEqual(['r', 'w2', 'b2', 'x']);
    expect(n.layers[1].outputs).toEqual(['y']);
    expect(n.layers[1].attributes.activation).toBe('silu');
  });

  it('adds a zero bias to a Conv without one, so that the residual stays input 3', () => {
    const n = bottleneck({ bias: false, swap: true });
    fuseConvActivations(n);
    expect(fuseConvResidualAdds(n)).toBe(1);
    const conv = n.layers[1];
    expect(conv.inputs).toHaveLength(4);
    expect(conv.inputs[3]).toBe('x');
    expect(Array.from(n.constants.get(conv.inputs[2])!.data as Float32Array)).toEqual(new Array(6).fill(0));
  });

  it('does not fuse a broadcast Add, a Conv output with another reader, or a residual computed later', () => {
    const broadcast = bottleneck();
    broadcast.addInput('bias', 'float32', [1, 6, 1, 1]);
    broadcast.layers[6] = { ...broadcast.layers[6], inputs: ['bias', 't'] };
    fuseConvActivations(broadcast);
    expect(fuseConvResidualAdds(broadcast)).toBe(0);

    const shared = bottleneck();
    fuseConvActivations(shared);
    shared.markOutput('t');
    expect(fuseConvResidualAdds(shared)).toBe(0);

    // The residual's producer runs after the Conv: fusing would read it before it is written.
    const late = new NetworkDefinition();
    late.addInput('x', 'float32', [1, 2, 4, 4]);
    late.addConstant('w', f32([2, 2, 1, 1], 1));
    late.addLayer({ name: 'conv', type: 'Conv', inputs: ['x', 'w'], outputs: ['c'], attributes: {} });
    late.addLayer({ name: 'relu', type: 'Relu', inputs: ['x'], outputs: ['r'], attributes: {} });
    late.addLayer({ name: 'add', type: 'Add', inputs: ['c', 'r'], outputs: ['y'], attributes: {} });
    late.markOutput('y');
    expect(fuseConvResidualAdds(late)).toBe(0);
  });

  for (const [what, options] of [
    ['with bias', {}],
    ['without bias, operands swapped', { bias: false, swap: true }],
    ['wide rows (several micro-kernel panels)', { channels: 20, size: [13, 70] as [number, number] }],
    // The depthwise kernel has no residual epilogue: the layer adds the residual after it.
    ['depthwise', { depthwise: true, channels: 8 }],
  ] as const) {
    it(`computes what the separate Add computes (${what})`, async () => {
      const x = f32(bottleneck(options).inputs[0].shape as number[], 9);
      // Untimed, each convolution takes its first tactic: depthwise-direct for the depthwise one.
      const engine = await new Builder().build(bottleneck(options), { timeTactics: false });
      expect(engine.layers.map((l) => l.type)).toEqual(['Conv', 'Conv']);
      const { y } = await engine.createContext().execute({ x });
      // Kept apart: the second Conv's output is also a graph output.
      const apart = bottleneck(options);
      apart.markOutput('t');
      const unfused = await new Builder().build(apart, { timeTactics: false });
      expect(unfused.layers.map((l) => l.type)).toEqual(['Conv', 'Conv', 'Binary']);
      const ref = await unfused.createContext().execute({ x });
      expect(maxAbsDiff(y.data as Float32Array, ref.y.data as Float32Array)).toBeLessThan(1e-5);
    });
  }
});
