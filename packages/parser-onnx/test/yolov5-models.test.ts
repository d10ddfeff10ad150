import path from 'node:path';
import { readFileSync } from 'node:fs';
import { Logger, NetworkDefinition } from '@kiln/core';
import { describe, expect, it } from 'vitest';
import { OnnxParser } from '../src/index.js';
import { layerNamed, parseModel } from './helpers/parse.js';

const MODELS = path.resolve(__dirname, '../../../../shared/models');
const load = (file: string) => parseModel(readFileSync(path.join(MODELS, file)), { modelPath: path.join(MODELS, file) });

/** Every layer input is '' (omitted), a graph input, a constant, or an output of an earlier layer. */
function undefinedBeforeUse(network: NetworkDefinition): string[] {
  const defined = new Set<string>([...network.inputs.map((i) => i.name), ...network.constants.keys()]);
  const problems: string[] = [];
  for (const layer of network.layers) {
    for (const input of layer.inputs) if (input !== '' && !defined.has(input)) problems.push(`${layer.name} reads ${input}`);
    for (const output of layer.outputs) defined.add(output);
  }
  for (const output of network.outputs) if (!defined.has(output)) problems.push(`graph output ${output}`);
  return problems;
}

const countOf = (network: NetworkDefinition, type: string) => network.layers.filter((l) => l.type === type).length;

describe.each([
  { file: 'yolov5n.onnx', batch: 1, firstConvOut: 16, w0: -0.023157598450779915, b0: 2.6714928150177, metadata: true },
  { file: 'yolov5n-dynamic.onnx', batch: 'batch', firstConvOut: 16, w0: -0.023157598450779915, b0: 2.6714928150177, metadata: true },
  { file: 'yolov5s-random.onnx', batch: 1, firstConvOut: 32, w0: -0.0007589674205519259, b0: 0, metadata: false },
])('$file', ({ file, batch, firstConvOut, w0, b0, metadata }) => {
  const { network, warnings } = load(file);

  it('parses without issues or warnings', () => {
    expect(warnings).toEqual([]);
    expect(network.layers.length).toBeGreaterThan(200);
  });

  it('has the images input and the output', () => {
    expect(network.inputs).toEqual([{ name: 'images', dtype: 'float32', shape: [batch, 3, 640, 640] }]);
    expect(network.outputs).toEqual(['output']);
  });

  it('has 60 Conv layers', () => {
    expect(countOf(network, 'Conv')).toBe(60);
  });

  it('lists layers in topological order', () => {
    expect(undefinedBeforeUse(network)).toEqual([]);
  });

  it('imports the first convolution with its weights', () => {
    const conv = layerNamed(network, '/model.0/conv/Conv');
    expect(conv.type).toBe('Conv');
    expect(conv.inputs).toEqual(['images', 'model.0.conv.weight', 'model.0.conv.bias']);
    expect(conv.attributes).toEqual({
      auto_pad: 'NOTSET', dilations: [1, 1], group: 1, kernel_shape: [6, 6], pads: [2, 2, 2, 2], strides: [2, 2],
    });
    const weight = network.constants.get('model.0.conv.weight')!;
    expect(weight.dtype).toBe('float32');
    expect(weight.shape).toEqual([firstConvOut, 3, 6, 6]);
    expect(weight.data).toBeInstanceOf(Float32Array);
    expect(weight.data[0]).toBe(Math.fround(w0));
    const bias = network.constants.get('model.0.conv.bias')!;
    expect(bias.shape).toEqual([firstConvOut]);
    expect(bias.data[0]).toBe(Math.fround(b0));
  });

  it('upgrades the opset-12 Split and Resize to the newest form', () => {
    const split = network.layers.find((l) => l.type === 'Split')!;
    expect(split.inputs).toHaveLength(2);
    expect(Array.from(network.constants.get(split.inputs[1])!.data as BigInt64Array)).toEqual([2n, 2n, 81n]);
    expect(split.attributes).toEqual({ axis: 4 });
    const resize = network.layers.find((l) => l.type === 'Resize')!;
    expect(resize.inputs[1]).toBe('');
    expect(resize.attributes).toMatchObject({ mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor', antialias: 0 });
  });

  it('keeps the metadata', () => {
    if (!metadata) {
      expect(network.metadata).toEqual({});
      return;
    }
    expect(Object.keys(network.metadata).sort()).toEqual(['names', 'stride']);
    expect(network.metadata.stride).toBe('32');
    const names = network.metadata.names;
    expect(names.startsWith("['person', 'bicycle', 'car'")).toBe(true);
    expect(names.match(/'[^']+'/g)).toHaveLength(80);
  });
});

describe('parseFromFile', () => {
  it('reads the model from disk', async () => {
    const network = new NetworkDefinition();
    await new OnnxParser(network, { logger: new Logger({ severity: 'error' }) }).parseFromFile(path.join(MODELS, 'yolov5n.onnx'));
    expect(network.layers.filter((l) => l.type === 'Conv')).toHaveLength(60);
    expect(network.constants.get('model.0.conv.weight')!.shape).toEqual([16, 3, 6, 6]);
  });
});
