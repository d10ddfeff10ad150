import { describe, expect, it } from 'vitest';
import { OnnxDataType, attr, encodeModel, floatTensor, int64Tensor, node, singleNodeModel, tensor, valueInfo } from './helpers/onnx-builder.js';
import { constantNamed, layerNamed, parseIssues, parseModel } from './helpers/parse.js';

const F = OnnxDataType.FLOAT;
const weight = floatTensor('w', [4, 3, 3, 3], new Array(4 * 3 * 3 * 3).fill(0.5));

describe('Conv', () => {
  it('fills kernel_shape from the weight and every other default', () => {
    const { network } = parseModel(singleNodeModel(node('Conv', ['x', 'w'], ['y'], [], { name: 'conv' }), { initializers: [weight] }));
    expect(layerNamed(network, 'conv')).toEqual({
      name: 'conv', type: 'Conv', inputs: ['x', 'w'], outputs: ['y'],
      attributes: { auto_pad: 'NOTSET', dilations: [1, 1], group: 1, kernel_shape: [3, 3], pads: [0, 0, 0, 0], strides: [1, 1] },
    });
  });

  it('turns auto_pad VALID into explicit zero pads', () => {
    const { network } = parseModel(singleNodeModel(node('Conv', ['x', 'w'], ['y'], [attr.string('auto_pad', 'VALID'), attr.ints('strides', [2, 2])], { name: 'conv' }), { initializers: [weight] }));
    expect(layerNamed(network, 'conv').attributes).toMatchObject({ auto_pad: 'NOTSET', pads: [0, 0, 0, 0], strides: [2, 2] });
  });

  it('keeps SAME_UPPER for the builder to resolve', () => {
    const { network } = parseModel(singleNodeModel(node('Conv', ['x', 'w'], ['y'], [attr.string('auto_pad', 'SAME_UPPER')], { name: 'conv' }), { initializers: [weight] }));
    expect(layerNamed(network, 'conv').attributes.auto_pad).toBe('SAME_UPPER');
  });

  it('takes kernel_shape from a weight whose shape value_info declares', () => {
    const bytes = encodeModel({
      nodes: [node('Conv', ['x', 'w'], ['y'], [], { name: 'conv' })],
      inputs: [valueInfo('x', F, [1, 3, 8]), valueInfo('w', F, [2, 3, 5])],
      outputs: [valueInfo('y', F)],
    });
    expect(layerNamed(parseModel(bytes).network, 'conv').attributes).toMatchObject({ kernel_shape: [5], pads: [0, 0], strides: [1], dilations: [1] });
  });

  it('refuses a conv whose kernel size cannot be known', () => {
    const bytes = encodeModel({
      nodes: [node('Relu', ['v'], ['w'], [], { name: 'r' }), node('Conv', ['x', 'w'], ['y'], [], { name: 'conv' })],
      inputs: [valueInfo('x', F, [1, 3, 8, 8]), valueInfo('v', F, ['a', 'b', 'c', 'd'])],
      outputs: [valueInfo('y', F)],
    });
    const issues = parseIssues(bytes);
    expect(issues).toEqual([{ node: 'conv', opType: 'Conv', domain: '', opset: 13, message: "attribute 'kernel_shape' is absent and the shape of weight 'w' is unknown" }]);
  });

  it('reports pads of the wrong length', () => {
    const issues = parseIssues(singleNodeModel(node('Conv', ['x', 'w'], ['y'], [attr.ints('pads', [1, 1])], { name: 'conv' }), { initializers: [weight] }));
    expect(issues.map((i) => i.message)).toEqual(["attribute 'pads' has 2 values, expected 4"]);
  });
});

describe('ConvTranspose', () => {
  it('fills output_padding and the convolution defaults', () => {
    const { network } = parseModel(singleNodeModel(node('ConvTranspose', ['x', 'w'], ['y'], [attr.ints('strides', [2, 2])], { name: 'ct' }), {
      initializers: [floatTensor('w', [3, 2, 4, 4], new Array(96).fill(0))],
    }));
    expect(layerNamed(network, 'ct').attributes).toEqual({
      auto_pad: 'NOTSET', dilations: [1, 1], group: 1, kernel_shape: [4, 4], output_padding: [0, 0], pads: [0, 0, 0, 0], strides: [2, 2],
    });
  });
});

describe('pooling', () => {
  it('fills MaxPool defaults and drops the unused Indices output', () => {
    const { network } = parseModel(singleNodeModel(node('MaxPool', ['x'], ['y', 'idx'], [attr.ints('kernel_shape', [2, 2])], { name: 'mp' }), { opset: 12 }));
    expect(layerNamed(network, 'mp')).toEqual({
      name: 'mp', type: 'MaxPool', inputs: ['x'], outputs: ['y'],
      attributes: { auto_pad: 'NOTSET', ceil_mode: 0, dilations: [1, 1], kernel_shape: [2, 2], pads: [0, 0, 0, 0], storage_order: 0, strides: [1, 1] },
    });
  });

  it("fills the attributes MaxPool-1 (opset 7) did not have", () => {
    const { network } = parseModel(singleNodeModel(node('MaxPool', ['x'], ['y'], [attr.ints('kernel_shape', [3, 3]), attr.ints('strides', [2, 2])], { name: 'mp' }), { opset: 7 }));
    expect(layerNamed(network, 'mp').attributes).toMatchObject({ ceil_mode: 0, storage_order: 0, dilations: [1, 1], strides: [2, 2] });
  });

  it('refuses storage_order=1', () => {
    const issues = parseIssues(singleNodeModel(node('MaxPool', ['x'], ['y'], [attr.ints('kernel_shape', [2, 2]), attr.int('storage_order', 1)], { name: 'mp' }), { opset: 12 }));
    expect(issues).toEqual([{ node: 'mp', opType: 'MaxPool', domain: '', opset: 12, message: "attribute 'storage_order' = 1 (column-major Indices) is not supported" }]);
  });

  it('fills AveragePool defaults', () => {
    const { network } = parseModel(singleNodeModel(node('AveragePool', ['x'], ['y'], [attr.ints('kernel_shape', [3, 3]), attr.ints('pads', [1, 1, 1, 1])], { name: 'ap' }), { opset: 11 }));
    expect(layerNamed(network, 'ap').attributes).toEqual({
      auto_pad: 'NOTSET', ceil_mode: 0, count_include_pad: 0, dilations: [1, 1], kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1],
    });
  });

  it('requires kernel_shape', () => {
    expect(parseIssues(singleNodeModel(node('AveragePool', ['x'], ['y'], [], { name: 'ap' }))).map((i) => i.message)).toEqual(["attribute 'kernel_shape' is required"]);
  });
});

describe('Resize', () => {
  it('fills every opset-19 attribute', () => {
    const { network } = parseModel(singleNodeModel(node('Resize', ['x', '', 'sc'], ['y'], [], { name: 'rs' }), { opset: 19, initializers: [floatTensor('sc', [4], [1, 1, 2, 2])] }));
    expect(layerNamed(network, 'rs').attributes).toEqual({
      antialias: 0, coordinate_transformation_mode: 'half_pixel', cubic_coeff_a: -0.75, exclude_outside: 0, extrapolation_value: 0,
      keep_aspect_ratio_policy: 'stretch', mode: 'nearest', nearest_mode: 'round_prefer_floor',
    });
  });

  it('keeps axes and refuses antialias=1', () => {
    const issues = parseIssues(singleNodeModel(node('Resize', ['x', '', 'sc'], ['y'], [attr.int('antialias', 1), attr.string('mode', 'linear'), attr.ints('axes', [2, 3])], { name: 'rs' }), {
      opset: 18, initializers: [floatTensor('sc', [2], [0.5, 0.5])],
    }));
    expect(issues).toEqual([{ node: 'rs', opType: 'Resize', domain: '', opset: 18, message: "attribute 'antialias' = 1 is not supported" }]);
  });
});

describe('other defaults', () => {
  const single = (op: string, attributes: ReturnType<typeof attr.int>[] = [], inputs = ['x'], opset = 13, initializers: ReturnType<typeof floatTensor>[] = []) =>
    layerNamed(parseModel(singleNodeModel(node(op, inputs, ['y'], attributes, { name: 'n' }), { opset, initializers })).network, 'n');

  it('fills Gemm alpha, beta, transA, transB', () => {
    expect(single('Gemm', [attr.int('transB', 1)], ['x', 'b'], 13, [floatTensor('b', [2, 2], [1, 2, 3, 4])]).attributes)
      .toEqual({ alpha: 1, beta: 1, transA: 0, transB: 1 });
  });

  it('fills activation parameters as float32', () => {
    expect(single('LeakyRelu').attributes).toEqual({ alpha: Math.fround(0.01) });
    expect(single('HardSigmoid', [attr.float('alpha', 0.25)]).attributes).toEqual({ alpha: 0.25, beta: 0.5 });
    expect(single('HardSwish', [], ['x'], 14).attributes).toEqual({});
  });

  it('writes Cast.to as a dtype name and fills saturate', () => {
    expect(single('Cast', [attr.int('to', OnnxDataType.INT64)]).attributes).toEqual({ to: 'int64', saturate: 1 });
    expect(single('Cast', [attr.int('to', OnnxDataType.FLOAT16)]).attributes).toEqual({ to: 'float16', saturate: 1 });
  });

  it('fills axis of Flatten and Gather, allowzero of Reshape, start of Shape', () => {
    expect(single('Flatten').attributes).toEqual({ axis: 1 });
    expect(single('Gather', [], ['x', 'i'], 13, [int64Tensor('i', [1], [0])]).attributes).toEqual({ axis: 0 });
    expect(single('Reshape', [], ['x', 's'], 13, [int64Tensor('s', [2], [1, -1])]).attributes).toEqual({ allowzero: 0 });
    expect(single('Shape', [], ['x'], 12).attributes).toEqual({ start: 0 });
    expect(single('Shape', [attr.int('end', -1)], ['x'], 15).attributes).toEqual({ start: 0, end: -1 });
  });

  it('requires Concat axis', () => {
    const issues = parseIssues(singleNodeModel(node('Concat', ['x', 'x'], ['y'], [], { name: 'cat' })));
    expect(issues).toEqual([{ node: 'cat', opType: 'Concat', domain: '', opset: 13, message: "attribute 'axis' is required" }]);
  });

  it("writes out Transpose's reversed perm when the rank is known", () => {
    expect(single('Transpose').attributes).toEqual({ perm: [3, 2, 1, 0] });
  });

  it('defaults ConstantOfShape to a float32 zero', () => {
    expect(single('ConstantOfShape', [], ['s'], 13, [int64Tensor('s', [2], [2, 3])]).attributes)
      .toEqual({ value: { dtype: 'float32', shape: [1], data: Float32Array.of(0) } });
  });
});

describe('Constant', () => {
  const constantModel = (attribute: ReturnType<typeof attr.int>) =>
    encodeModel({
      nodes: [node('Constant', [], ['c'], [attribute], { name: 'k' }), node('Identity', ['c'], ['y'], [], { name: 'id' })],
      outputs: [valueInfo('y', F)],
    });

  it('imports every value form as a network constant', () => {
    const cases: [ReturnType<typeof attr.int>, unknown][] = [
      [attr.tensor('value', tensor('', OnnxDataType.INT32, [2], [7, -7])), { dtype: 'int32', shape: [2], data: Int32Array.of(7, -7) }],
      [attr.float('value_float', 1.5), { dtype: 'float32', shape: [], data: Float32Array.of(1.5) }],
      [attr.floats('value_floats', [1, 2.5]), { dtype: 'float32', shape: [2], data: Float32Array.of(1, 2.5) }],
      [attr.int('value_int', -3), { dtype: 'int64', shape: [], data: BigInt64Array.of(-3n) }],
      [attr.ints('value_ints', [4, '9223372036854775807']), { dtype: 'int64', shape: [2], data: BigInt64Array.of(4n, 9223372036854775807n) }],
    ];
    for (const [attribute, expected] of cases) {
      const { network } = parseModel(constantModel(attribute));
      expect(constantNamed(network, 'c')).toEqual(expected);
      expect(network.layers.map((l) => l.type)).toEqual(['Identity']);
    }
  });

  it('refuses string constants', () => {
    const issues = parseIssues(constantModel(attr.string('value_string', 'hello')));
    expect(issues).toEqual([{ node: 'k', opType: 'Constant', domain: '', opset: 13, message: "attribute 'value_string' is a string tensor, which Kiln has no dtype for" }]);
  });
});

describe('node names', () => {
  it('generates ${op_type}_${index} for unnamed nodes, avoiding names in use', () => {
    const bytes = encodeModel({
      nodes: [node('Relu', ['x'], ['a']), node('Relu', ['a'], ['b'], [], { name: 'Relu_2' }), node('Relu', ['b'], ['y'])],
      inputs: [valueInfo('x', F, [2])],
      outputs: [valueInfo('y', F)],
    });
    expect(parseModel(bytes).network.layers.map((l) => l.name)).toEqual(['Relu_0', 'Relu_2', 'Relu_2_1']);
  });
});
