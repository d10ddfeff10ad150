import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { supportedIsas, type Isa } from '@kiln/core';
import { describe, expect, it } from 'vitest';
import { buildKiln, imageInput, runOrt } from './compare.js';

const MODEL = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/qdq-conv.onnx');
const SHAPE = [1, 3, 16, 16];

async function compare(precision: 'fp32' | 'int8', isa: Isa) {
  const engine = await buildKiln(MODEL, { precision, isa, threads: 2 });
  const input = imageInput(3 * 16 * 16, 5);
  const { y } = await engine.createContext().execute({ x: { dtype: 'float32', shape: SHAPE, data: input } });
  // onnxruntime's graph optimizations turn the Q/DQ pairs into its own u8s8 kernels, whose AVX2
  // path saturates on full-range s8 weights (its documented 'reduce_range' caveat): its unoptimized
  // run is the reference semantics.
  const expected = await runOrt(MODEL, 'x', input, SHAPE, { graphOptimizationLevel: 'disabled' });
  const actual = y!.data as Float32Array;
  const range = Math.max(...expected.map(Math.abs));
  return { engine, maxDiff: Math.max(...expected.map((v, i) => Math.abs(v - actual[i]!))), range };
}

describe('a Q/DQ (explicitly quantized) model against onnxruntime-node', () => {
  for (const isa of supportedIsas()) {
    it(`runs its Q/DQ nodes as written in an FP32 build (${isa})`, async () => {
      const { engine, maxDiff, range } = await compare('fp32', isa);
      expect(engine.layers.map((l) => l.type)).toContain('Quantize');
      // Both runtimes round the same quantized values; a value on a rounding edge may move one step.
      expect(maxDiff).toBeLessThan(0.02 * range);
    });

    it(`honours the model's ranges in an INT8 build, no calibrator needed (${isa})`, async () => {
      const { engine, maxDiff, range } = await compare('int8', isa);
      const types = engine.layers.map((l) => l.type);
      expect(types.filter((t) => t === 'QConv')).toHaveLength(2);
      expect(types).toContain('MaxPool');
      expect(engine.layers.find((l) => l.name === 'head')?.type).toBe('Conv');
      expect(maxDiff).toBeLessThan(0.05 * range);
    });
  }
});
