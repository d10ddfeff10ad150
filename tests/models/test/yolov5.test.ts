import path from 'node:path';
import { supportedIsas } from '@kiln/core';
import { describe, expect, it } from 'vitest';
import { SHARED_MODELS, buildKiln, errors, imageInput, runOrt } from './compare.js';

// Each layout named, not 'auto': which one a timed build keeps may change from run to run.
const cases: { model: string; batches: number[]; layout: 'blocked' | 'nchw' }[] = [
  { model: 'yolov5n.onnx', batches: [1], layout: 'blocked' },
  { model: 'yolov5n.onnx', batches: [1], layout: 'nchw' },
  { model: 'yolov5n-dynamic.onnx', batches: [1, 4], layout: 'blocked' },
  { model: 'yolov5s-random.onnx', batches: [1], layout: 'blocked' },
];

describe('YOLOv5 against onnxruntime-node on the same random input', () => {
  for (const isa of supportedIsas()) {
    for (const { model, batches, layout } of cases) {
      it(`${model} (${layout}) on the ${isa} path matches (batch ${batches.join(', ')})`, async () => {
        const file = path.join(SHARED_MODELS, model);
        const engine = await buildKiln(file, { isa, threads: 2, layout });
        expect(engine.isa).toBe(isa);
        expect(engine.build.layout).toBe(layout);
        const context = engine.createContext();
        for (const batch of batches) {
          const shape = [batch, 3, 640, 640];
          const input = imageInput(batch * 3 * 640 * 640, 17 + batch);
          const { output } = await context.execute({ images: { dtype: 'float32', shape, data: input } });
          expect(output.shape).toEqual([batch, 25200, 85]);
          const expected = await runOrt(file, 'images', input, shape);
          const { maxAbs, maxScoreAbs, maxBoxExcess, relL2 } = errors(output.data as Float32Array, expected);
          expect(maxScoreAbs, `max |diff| of objectness and class scores at batch ${batch}`).toBeLessThanOrEqual(1e-3);
          expect(maxBoxExcess, `box coordinates beyond 1e-3 + 1e-5·|ref| at batch ${batch} (max |diff| ${maxAbs})`).toBeLessThanOrEqual(0);
          expect(relL2, `relative L2 error at batch ${batch}`).toBeLessThanOrEqual(1e-4);
        }
      });
    }
  }
});
