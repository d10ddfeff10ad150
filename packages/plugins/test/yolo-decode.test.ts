import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Builder, NetworkDefinition } from '@kiln/core';
import { OnnxParser } from '@kiln/parser-onnx';
import { describe, expect, it } from 'vitest';
import { PluginRegistry } from '../src/index.js';
import { SHARED, buildLibraries } from './helpers.js';

const ANCHORS = [10, 13, 16, 30, 33, 23, 30, 61, 62, 45, 59, 119, 116, 90, 156, 198, 373, 326];
const HEADS = ['/model.24/m.0/Conv_output_0', '/model.24/m.1/Conv_output_0', '/model.24/m.2/Conv_output_0'];

describe("the YoloDecode plugin in place of YOLOv5n's own decode subgraph", () => {
  it("gives the model's output with 1 layer instead of the decode chain", async () => {
    const registry = new PluginRegistry();
    registry.load((await buildLibraries()).yoloDecode);
    const bytes = await readFile(path.join(SHARED, 'models/yolov5n.onnx'));
    const original = new NetworkDefinition();
    new OnnxParser(original).parse(bytes);
    const replaced = new NetworkDefinition();
    new OnnxParser(replaced).parse(bytes);
    replaced.layers = replaced.layers.filter((layer) => !layer.outputs.includes('output'));
    replaced.addLayer({
      name: 'decode',
      type: 'YoloDecode',
      domain: 'kiln.examples',
      inputs: HEADS,
      outputs: ['output'],
      attributes: { anchors: ANCHORS, strides: [8, 16, 32], num_classes: 80 },
    });

    const images = { dtype: 'float32' as const, shape: [1, 3, 640, 640], data: Float32Array.from({ length: 3 * 640 * 640 }, (_, i) => ((i * 7919) % 1000) / 1000) };
    const reference = await new Builder().build(original, { threads: 2 });
    const engine = await new Builder({ plugins: registry }).build(replaced, { threads: 2 });
    expect(engine.layers.filter((l) => l.type === 'Plugin')).toHaveLength(1);
    // Kiln fuses the model's own decode per level with its 1x1 convolution (3 layers + a Concat),
    // each reading the channel-blocked layout; the plugin decodes all in 1 after the 3 convolutions,
    // whose outputs are converted back to NCHW for it.
    expect(reference.layers.filter((l) => l.type === 'YoloHead')).toHaveLength(3);
    expect(reference.layers.filter((l) => l.type === 'KilnFromBlocked')).toHaveLength(0);
    expect(engine.layers.filter((l) => l.type === 'YoloHead' || l.type === 'YoloDecode')).toHaveLength(0);
    expect(engine.layers.filter((l) => l.type === 'KilnFromBlocked')).toHaveLength(3);
    expect(engine.layers.length).toBe(reference.layers.length + 3);
    const expected = (await reference.createContext().execute({ images })).output.data as Float32Array;
    const { output } = await engine.createContext().execute({ images });
    expect(output.shape).toEqual([1, 25200, 85]);
    const actual = output.data as Float32Array;
    let worstScore = 0;
    let worstBox = -Infinity;
    for (let i = 0; i < expected.length; i++) {
      const d = Math.abs(actual[i] - expected[i]);
      if (i % 85 < 4) worstBox = Math.max(worstBox, d - (1e-3 + 1e-5 * Math.abs(expected[i])));
      else worstScore = Math.max(worstScore, d);
    }
    expect(worstScore).toBeLessThan(1e-5);
    expect(worstBox).toBeLessThanOrEqual(0);
  });
});
