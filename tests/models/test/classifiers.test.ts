import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { supportedIsas } from '@kiln/core';
import { describe, expect, it } from 'vitest';
import { buildKiln, imageInput, runOrt } from './compare.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');
// `fused`: a layer type the blocked layout must produce (and the NCHW one must not), if any.
const MODELS: { name: string; size: number; fused?: string }[] = [
  { name: 'mobilenetv2-small', size: 96, fused: 'KilnBottleneckBlocked' },
  { name: 'resnet18-small', size: 64, fused: 'KilnConvBlocked' },
  { name: 'efficientnet-small', size: 64 }, // squeeze-and-excitation: broadcast Muls, global pools
];
const BATCHES = [1, 3];

/** Largest difference, relative to the largest reference value. */
function relativeMaxDiff(actual: Float32Array, expected: Float32Array): number {
  let diff = 0;
  let range = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    range = Math.max(range, Math.abs(expected[i]!));
  }
  return Number.isNaN(diff) ? NaN : diff / range;
}

// The bench's ResNet- and MobileNet-shaped classifiers and an EfficientNet-shaped one, narrowed
// (fixtures/make_classifiers.py): the layers YOLOv5 does not have — inverted residual blocks fused
// with their depthwise rows, squeeze-and-excitation, the global pool, the single-row classifier —
// against onnxruntime-node.
describe('torchvision-shaped classifiers against onnxruntime-node on the same random input', () => {
  for (const model of MODELS) {
    const file = path.join(FIXTURES, `${model.name}.onnx`);
    for (const isa of supportedIsas())
      for (const layout of ['blocked', 'nchw'] as const) {
        it(`${model.name} (${layout}) on the ${isa} path matches at batch ${BATCHES.join(' and ')}`, async () => {
          const shape = (batch: number) => [batch, 3, model.size, model.size];
          const engine = await buildKiln(file, {
            isa,
            layout,
            threads: 2,
            profiles: { input: { min: shape(1), opt: shape(1), max: shape(3) } },
          });
          const types = engine.layers.map((l) => l.type);
          if (model.fused) expect(types.includes(model.fused)).toBe(layout === 'blocked');
          const context = engine.createContext();
          for (const batch of BATCHES) {
            const input = imageInput(batch * 3 * model.size * model.size, 17 + batch);
            const { logits } = await context.execute({ input: { dtype: 'float32', shape: shape(batch), data: input } });
            expect(logits!.shape).toEqual([batch, 100]);
            const expected = await runOrt(file, 'input', input, shape(batch));
            expect(relativeMaxDiff(logits!.data as Float32Array, expected)).toBeLessThan(1e-4);
          }
        });
      }
  }
});
