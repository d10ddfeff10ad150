import path from 'node:path';
import { readFileSync } from 'node:fs';
import { KilnError, Logger, NetworkDefinition, OptionsError } from '@kiln/core';
import { describe, expect, it } from 'vitest';
import { OnnxParseError, OnnxParser } from '../src/index.js';
import { OnnxDataType, attr, encodeModel, floatTensor, node, singleNodeModel, valueInfo } from './helpers/onnx-builder.js';
import { parseError, parseIssues } from './helpers/parse.js';

const F = OnnxDataType.FLOAT;

describe('unsupported nodes', () => {
  it('lists every unsupported op and unhonourable attribute at once', () => {
    const bytes = encodeModel({
      opset: 13,
      opsets: { 'com.acme': 2 },
      nodes: [
        node('Relu', ['x'], ['a'], [], { name: 'ok' }),
        node('FancyOp', ['a'], ['b'], [], { name: 'fancy' }),
        node('MaxPool', ['b'], ['c'], [attr.ints('kernel_shape', [2, 2]), attr.int('storage_order', 1)], { name: 'pool' }),
        node('Warp', ['c'], ['y'], [], { name: 'warp', domain: 'com.acme' }),
      ],
      inputs: [valueInfo('x', F, [1, 3, 8, 8])],
      outputs: [valueInfo('y', F)],
    });
    const error = parseError(bytes);
    expect(error).toBeInstanceOf(KilnError);
    expect(error.code).toBe('KILN_ONNX_PARSE');
    expect(error.issues).toEqual([
      { node: 'fancy', opType: 'FancyOp', domain: '', opset: 13, message: 'operator FancyOp is not supported' },
      { node: 'pool', opType: 'MaxPool', domain: '', opset: 13, message: "attribute 'storage_order' = 1 (column-major Indices) is not supported" },
      { node: 'warp', opType: 'Warp', domain: 'com.acme', opset: 2, message: 'operator com.acme.Warp is not supported' },
    ]);
    expect(error.message).toContain("FancyOp 'fancy' (ai.onnx opset 13)");
    expect(error.message).toContain("Warp 'warp' (com.acme opset 2)");
  });

  it('refuses an op the model opset predates', () => {
    const issues = parseIssues(singleNodeModel(node('HardSwish', ['x'], ['y'], [], { name: 'hs' }), { opset: 13 }));
    expect(issues).toEqual([{ node: 'hs', opType: 'HardSwish', domain: '', opset: 13, message: 'HardSwish is supported for opsets 14..28, not 13' }]);
  });

  it('refuses opsets outside 7..28', () => {
    expect(parseIssues(singleNodeModel(node('Relu', ['x'], ['y'], [], { name: 'r' }), { opset: 6 }))[0].message).toBe('Relu is supported for opsets 7..28, not 6');
    expect(parseIssues(singleNodeModel(node('Relu', ['x'], ['y'], [], { name: 'r' }), { opset: 29 }))[0].message).toBe('Relu is supported for opsets 7..28, not 29');
  });

  it('refuses a domain the model imports no opset for', () => {
    const issues = parseIssues(singleNodeModel(node('Thing', ['x'], ['y'], [], { name: 't', domain: 'org.nowhere' })));
    expect(issues).toEqual([{ node: 't', opType: 'Thing', domain: 'org.nowhere', opset: 0, message: "the model imports no opset for domain 'org.nowhere'" }]);
  });

  it('refuses a Cast to a type Kiln has no dtype for', () => {
    const issues = parseIssues(singleNodeModel(node('Cast', ['x'], ['y'], [attr.int('to', OnnxDataType.DOUBLE)], { name: 'c' })));
    expect(issues).toEqual([{ node: 'c', opType: 'Cast', domain: '', opset: 13, message: "attribute 'to' = DOUBLE has no Kiln dtype" }]);
  });

  it('reports an attribute of the wrong type', () => {
    const issues = parseIssues(singleNodeModel(node('Flatten', ['x'], ['y'], [attr.float('axis', 1)], { name: 'f' })));
    expect(issues.map((i) => i.message)).toEqual(["attribute 'axis' must be INT, got FLOAT"]);
  });

  it('reports an undefined node input and an unproduced graph output', () => {
    const bytes = encodeModel({
      nodes: [node('Add', ['x', 'ghost'], ['y'], [], { name: 'add' })],
      inputs: [valueInfo('x', F, [2])],
      outputs: [valueInfo('y', F), valueInfo('nowhere', F)],
    });
    expect(parseIssues(bytes)).toEqual([
      { node: 'add', opType: 'Add', domain: '', opset: 13, message: "input 'ghost' is not produced by any node, graph input or initializer" },
      { node: 'nowhere', opType: 'graph output', domain: '', opset: 13, message: 'is not produced by any node, graph input or initializer' },
    ]);
  });

  it('warns about attributes the op does not have', () => {
    const warnings: string[] = [];
    const logger = new Logger({ sink: (_, message) => warnings.push(message) });
    new OnnxParser(new NetworkDefinition(), { logger }).parse(singleNodeModel(node('Relu', ['x'], ['y'], [attr.int('bogus', 1)], { name: 'r' })));
    expect(warnings).toEqual(["node 'r' (Relu): attribute 'bogus' is not part of opset 13; ignored"]);
  });

  it('leaves the network untouched when the model is refused', () => {
    const network = new NetworkDefinition();
    const bytes = encodeModel({
      nodes: [node('Relu', ['x'], ['a'], [], { name: 'r' }), node('Nope', ['a'], ['y'], [], { name: 'n' })],
      inputs: [valueInfo('x', F, [2])],
      outputs: [valueInfo('y', F)],
      initializers: [floatTensor('unused', [1], [1])],
    });
    expect(() => new OnnxParser(network, { logger: new Logger({ severity: 'error' }) }).parse(bytes)).toThrow(OnnxParseError);
    expect(network.inputs).toEqual([]);
    expect(network.layers).toEqual([]);
    expect(network.constants.size).toBe(0);
  });
});

describe('malformed bytes', () => {
  const modelBytes = readFileSync(path.resolve(__dirname, '../../../../shared/models/yolov5n.onnx'));
  const parse = (bytes: unknown) => () => new OnnxParser(new NetworkDefinition()).parse(bytes as Uint8Array);

  it.each([
    ['random bytes', Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24)],
    ['a truncated model', modelBytes.subarray(0, modelBytes.length >> 1)],
    ['JSON text', new TextEncoder().encode('{"graph": {"node": []}}')],
    ['a single byte', Uint8Array.of(0xff)],
  ])('refuses %s as not an ONNX model', (_, bytes) => {
    expect(parse(bytes)).toThrow(OnnxParseError);
    expect(parse(bytes)).toThrow(/not an ONNX model/);
  });

  it('refuses an empty buffer (a ModelProto without a graph)', () => {
    expect(parse(new Uint8Array(0))).toThrow('the bytes decode to a ModelProto without a graph: not an ONNX model');
  });

  it('refuses something that is not bytes', () => {
    expect(parse('model.onnx')).toThrow('the model must be given as a Uint8Array (or Buffer)');
  });

  it('reports a missing model file', async () => {
    await expect(new OnnxParser(new NetworkDefinition()).parseFromFile('/nonexistent/model.onnx')).rejects.toThrow(/cannot read ONNX model '\/nonexistent\/model.onnx'/);
  });
});

describe('options', () => {
  it('are validated', () => {
    expect(() => new OnnxParser(new NetworkDefinition(), { logger: 'loud' } as never)).toThrow(OptionsError);
    expect(() => new OnnxParser(new NetworkDefinition(), { plugins: {} } as never)).toThrow(/plugins: an object with hasCreator/);
    expect(() => new OnnxParser(new NetworkDefinition(), { verbose: true } as never)).toThrow(OptionsError);
    expect(() => new OnnxParser(new NetworkDefinition()).parse(new Uint8Array(0), { modelPath: 3 } as never)).toThrow(/modelPath/);
  });
});
