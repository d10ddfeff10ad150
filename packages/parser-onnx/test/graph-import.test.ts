import { describe, expect, it } from 'vitest';
import { OnnxParser } from '../src/index.js';
import { OnnxDataType, attr, encodeModel, floatTensor, int64Tensor, node, tensor, valueInfo } from './helpers/onnx-builder.js';
import { layerNamed, parseIssues, parseModel } from './helpers/parse.js';

const F = OnnxDataType.FLOAT;

describe('graph inputs', () => {
  it('keeps dim values and names and names unknown dims afresh', () => {
    const bytes = encodeModel({
      nodes: [node('Add', ['x', 'z'], ['y'], [], { name: 'add' })],
      inputs: [valueInfo('x', F, ['batch', 3, null, null]), valueInfo('z', OnnxDataType.INT64, [null, 'unk__0'])],
      outputs: [valueInfo('y', F)],
    });
    expect(parseModel(bytes).network.inputs).toEqual([
      { name: 'x', dtype: 'float32', shape: ['batch', 3, 'unk__1', 'unk__2'] },
      { name: 'z', dtype: 'int64', shape: ['unk__3', 'unk__0'] },
    ]);
  });

  it('makes initializers listed as inputs constants, not inputs', () => {
    const bytes = encodeModel({
      nodes: [node('Mul', ['x', 'w'], ['y'], [], { name: 'mul' })],
      inputs: [valueInfo('x', F, [2]), valueInfo('w', F, [2])],
      outputs: [valueInfo('y', F)],
      initializers: [floatTensor('w', [2], [3, 4])],
    });
    const { network } = parseModel(bytes);
    expect(network.inputs.map((i) => i.name)).toEqual(['x']);
    expect(network.constants.get('w')!.data).toEqual(Float32Array.of(3, 4));
  });

  it('refuses inputs without a Kiln dtype or a shape', () => {
    const bytes = encodeModel({
      nodes: [node('Add', ['d', 'r'], ['y'], [], { name: 'add' })],
      inputs: [valueInfo('d', OnnxDataType.DOUBLE, [2]), valueInfo('r', F)],
      outputs: [valueInfo('y', F)],
    });
    expect(parseIssues(bytes)).toEqual([
      { node: 'd', opType: 'graph input', domain: '', opset: 13, message: 'has element type DOUBLE, which Kiln has no dtype for' },
      { node: 'r', opType: 'graph input', domain: '', opset: 13, message: 'has no shape (unknown rank)' },
    ]);
  });
});

describe('graph facts', () => {
  const bytes = encodeModel({
    nodes: [
      node('Cast', ['i'], ['y'], [attr.int('to', OnnxDataType.INT32)], { name: 'cast' }),
      node('Relu', ['x'], ['i'], [], { name: 'relu' }),
    ],
    inputs: [valueInfo('x', F, [4])],
    outputs: [valueInfo('y', OnnxDataType.INT32, [4])],
    valueInfo: [valueInfo('i', F, [4])],
    metadata: { author: 'kiln', stride: '8' },
  });
  const { network } = parseModel(bytes);

  it('orders nodes so each comes after its producers', () => {
    expect(network.layers.map((l) => l.name)).toEqual(['relu', 'cast']);
  });

  it('records value_info and output dtypes as declaredTypes', () => {
    expect([...network.declaredTypes]).toEqual([['i', 'float32'], ['y', 'int32']]);
  });

  it('copies metadata_props and marks outputs', () => {
    expect(network.metadata).toEqual({ author: 'kiln', stride: '8' });
    expect(network.outputs).toEqual(['y']);
  });

  it("reads the domain 'ai.onnx' as the standard domain", () => {
    const spelled = encodeModel({
      nodes: [node('Relu', ['x'], ['y'], [], { name: 'r', domain: 'ai.onnx' })],
      inputs: [valueInfo('x', F, [2])],
      outputs: [valueInfo('y', F)],
    });
    expect(parseModel(spelled).network.layers).toEqual([{ name: 'r', type: 'Relu', inputs: ['x'], outputs: ['y'], attributes: {} }]);
  });

  it('reports a cycle', () => {
    const cyclic = encodeModel({
      nodes: [node('Add', ['x', 'b'], ['a'], [], { name: 'first' }), node('Relu', ['a'], ['b'], [], { name: 'second' })],
      inputs: [valueInfo('x', F, [2])],
      outputs: [valueInfo('b', F)],
    });
    expect(parseIssues(cyclic).map((i) => `${i.node}: ${i.message}`)).toEqual(['first: is part of a cycle', 'second: is part of a cycle']);
  });
});

describe('plugin hook', () => {
  const bytes = encodeModel({
    opsets: { 'com.acme': 1 },
    nodes: [node('Warp', ['x', 'grid'], ['y'], [
      attr.int('levels', 3), attr.floats('gains', [0.5, 2]), attr.string('mode', 'fast'), attr.strings('tags', ['a', 'b']),
      attr.tensor('table', tensor('', OnnxDataType.INT64, [2], [1, 2])),
    ], { name: 'warp', domain: 'com.acme' })],
    inputs: [valueInfo('x', F, [1, 3, 8, 8])],
    outputs: [valueInfo('y', F)],
    initializers: [int64Tensor('grid', [1], [4])],
  });

  it('emits a claimed unknown op as it is', () => {
    const asked: string[] = [];
    const plugins = { hasCreator: (opType: string, domain: string) => (asked.push(`${domain}:${opType}`), opType === 'Warp' && domain === 'com.acme') };
    const { network } = parseModel(bytes, { plugins });
    expect(asked).toEqual(['com.acme:Warp']);
    expect(layerNamed(network, 'warp')).toEqual({
      name: 'warp', type: 'Warp', domain: 'com.acme', inputs: ['x', 'grid'], outputs: ['y'],
      attributes: {
        levels: 3, gains: [0.5, 2], mode: 'fast', tags: ['a', 'b'], table: { dtype: 'int64', shape: [2], data: BigInt64Array.of(1n, 2n) },
      },
    });
  });

  it('still refuses the op when no plugin claims it', () => {
    expect(parseIssues(bytes).map((i) => i.message)).toEqual(['operator com.acme.Warp is not supported']);
  });

  it("reports a plugin node's attributes that have no Kiln value", () => {
    const withGraph = encodeModel({
      opsets: { 'com.acme': 1 },
      nodes: [node('Loopy', ['x'], ['y'], [attr.graph('body')], { name: 'l', domain: 'com.acme' })],
      inputs: [valueInfo('x', F, [1])],
      outputs: [valueInfo('y', F)],
    });
    expect(() => parseModel(withGraph, { plugins: { hasCreator: () => true } })).toThrow("attribute 'body' is a GRAPH, which Kiln cannot import");
  });
});

describe('OnnxParser.supportedOps', () => {
  const ops = OnnxParser.supportedOps();

  it('lists every op with its opset range', () => {
    expect(ops).toContainEqual({ domain: '', opType: 'Conv', sinceVersion: 7, untilVersion: 28 });
    expect(ops).toContainEqual({ domain: '', opType: 'HardSwish', sinceVersion: 14, untilVersion: 28 });
    expect(ops).toContainEqual({ domain: '', opType: 'Resize', sinceVersion: 10, untilVersion: 28 });
    expect(ops.map((op) => op.opType)).toEqual([
      'Abs', 'Acos', 'Acosh', 'Add', 'And', 'ArgMax', 'ArgMin', 'Asin', 'Asinh', 'Atan', 'Atanh', 'Attention',
      'AveragePool', 'BatchNormalization', 'BlackmanWindow', 'Cast', 'CastLike', 'Ceil', 'Celu', 'CenterCropPad', 'Clip',
      'Concat', 'Constant', 'ConstantOfShape', 'Conv', 'ConvTranspose', 'Cos', 'Cosh', 'DepthToSpace', 'DequantizeLinear', 'Div', 'Dropout',
      'Elu', 'Equal', 'Erf', 'Exp', 'Expand', 'EyeLike', 'Flatten', 'Floor', 'Gather', 'GatherElements', 'Gelu', 'Gemm',
      'GlobalAveragePool', 'GlobalMaxPool', 'Greater', 'GreaterOrEqual', 'GroupNormalization', 'HammingWindow',
      'HannWindow', 'Hardmax', 'HardSigmoid', 'HardSwish', 'Identity', 'InstanceNormalization', 'IsInf', 'IsNaN',
      'LayerNormalization', 'LeakyRelu', 'Less', 'LessOrEqual', 'Log', 'LogSoftmax', 'LpNormalization', 'LpPool',
      'MatMul', 'Max', 'MaxPool', 'Mean', 'Min', 'Mish', 'Mod', 'Mul', 'Neg', 'NegativeLogLikelihoodLoss',
      'NonMaxSuppression', 'Not', 'OneHot', 'Or', 'Pad', 'Pow', 'PRelu', 'QuantizeLinear', 'Range', 'Reciprocal', 'ReduceL1', 'ReduceL2',
      'ReduceLogSum', 'ReduceLogSumExp', 'ReduceMax', 'ReduceMean', 'ReduceMin', 'ReduceProd', 'ReduceSum',
      'ReduceSumSquare', 'Relu', 'Reshape', 'Resize', 'RMSNormalization', 'RotaryEmbedding', 'Round', 'Selu', 'Shape', 'Shrink', 'Sigmoid',
      'Sign', 'Sin', 'Sinh', 'Size', 'Slice', 'Softmax', 'SoftmaxCrossEntropyLoss', 'Softplus', 'Softsign',
      'SpaceToDepth', 'Split', 'Sqrt', 'Squeeze', 'Sub', 'Sum', 'SwiGLU', 'Swish', 'Tan', 'Tanh', 'ThresholdedRelu',
      'Tile', 'TopK', 'Transpose', 'Trilu', 'Unsqueeze', 'Upsample', 'Where', 'Xor',
    ]);
  });
});
