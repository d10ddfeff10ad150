import { describe, expect, it } from 'vitest';
import { OnnxDataType, attr, encodeModel, floatTensor, int64Tensor, node, singleNodeModel, valueInfo } from './helpers/onnx-builder.js';
import { constantNamed, layerNamed, parseIssues, parseModel, valuesOf } from './helpers/parse.js';

const F = OnnxDataType.FLOAT;

describe('Split', () => {
  it("turns opset < 13's split attribute into a constant input", () => {
    const { network } = parseModel(singleNodeModel(node('Split', ['x'], ['y', 'z'], [attr.int('axis', 1), attr.ints('split', [1, 2])], { name: 's' }), { opset: 11 }));
    expect(layerNamed(network, 's')).toEqual({ name: 's', type: 'Split', inputs: ['x', 's__split'], outputs: ['y', 'z'], attributes: { axis: 1 } });
    expect(constantNamed(network, 's__split')).toEqual({ dtype: 'int64', shape: [2], data: BigInt64Array.of(1n, 2n) });
  });

  it('gives an even split num_outputs, as opset 18 spells it', () => {
    const { network } = parseModel(singleNodeModel(node('Split', ['x'], ['a', 'b', 'c'], [], { name: 's' }), { opset: 11 }));
    expect(layerNamed(network, 's')).toMatchObject({ inputs: ['x'], attributes: { axis: 0, num_outputs: 3 } });
  });

  it('keeps the split input of opset 13', () => {
    const { network } = parseModel(singleNodeModel(node('Split', ['x', 'sizes'], ['y', 'z'], [], { name: 's' }), {
      opset: 13, initializers: [int64Tensor('sizes', [2], [1, 2])],
    }));
    expect(layerNamed(network, 's')).toMatchObject({ inputs: ['x', 'sizes'], attributes: { axis: 0 } });
    expect(layerNamed(network, 's').attributes).not.toHaveProperty('num_outputs');
  });

  it('keeps num_outputs of opset 18', () => {
    const { network } = parseModel(singleNodeModel(node('Split', ['x'], ['y', 'z'], [attr.int('num_outputs', 2)], { name: 's' }), { opset: 18 }));
    expect(layerNamed(network, 's').attributes).toEqual({ axis: 0, num_outputs: 2 });
  });
});

describe('Squeeze and Unsqueeze', () => {
  it("turn opset < 13's axes attribute into a constant input", () => {
    const bytes = encodeModel({
      opset: 11,
      nodes: [
        node('Unsqueeze', ['x'], ['u'], [attr.ints('axes', [0, -1])], { name: 'un' }),
        node('Squeeze', ['u'], ['y'], [attr.ints('axes', [0])], { name: 'sq' }),
      ],
      inputs: [valueInfo('x', F, [3, 4])],
      outputs: [valueInfo('y', F)],
    });
    const { network } = parseModel(bytes);
    expect(layerNamed(network, 'un')).toEqual({ name: 'un', type: 'Unsqueeze', inputs: ['x', 'un__axes'], outputs: ['u'], attributes: {} });
    expect(valuesOf(network, 'un__axes')).toEqual([0, -1]);
    expect(layerNamed(network, 'sq').inputs).toEqual(['u', 'sq__axes']);
    expect(valuesOf(network, 'sq__axes')).toEqual([0]);
  });

  it('leave a Squeeze without axes without the input', () => {
    const { network } = parseModel(singleNodeModel(node('Squeeze', ['x'], ['y'], [], { name: 'sq' }), { opset: 11 }));
    expect(layerNamed(network, 'sq').inputs).toEqual(['x']);
  });

  it('keep the axes input of opset 13', () => {
    const { network } = parseModel(singleNodeModel(node('Unsqueeze', ['x', 'axes'], ['y'], [], { name: 'un' }), {
      opset: 13, initializers: [int64Tensor('axes', [1], [2])],
    }));
    expect(layerNamed(network, 'un').inputs).toEqual(['x', 'axes']);
  });

  it('refuse an Unsqueeze without axes', () => {
    const issues = parseIssues(singleNodeModel(node('Unsqueeze', ['x'], ['y'], [], { name: 'un' }), { opset: 11 }));
    expect(issues).toEqual([{ node: 'un', opType: 'Unsqueeze', domain: '', opset: 11, message: "'axes' is required" }]);
  });
});

describe('ReduceMean', () => {
  it("turns opset < 18's axes attribute into a constant input and fills keepdims", () => {
    const { network } = parseModel(singleNodeModel(node('ReduceMean', ['x'], ['y'], [attr.ints('axes', [2, 3])], { name: 'r' }), { opset: 13 }));
    expect(layerNamed(network, 'r')).toEqual({
      name: 'r', type: 'ReduceMean', inputs: ['x', 'r__axes'], outputs: ['y'], attributes: { keepdims: 1, noop_with_empty_axes: 0 },
    });
    expect(valuesOf(network, 'r__axes')).toEqual([2, 3]);
  });

  it('reduces over all axes when opset < 18 gives none', () => {
    const { network } = parseModel(singleNodeModel(node('ReduceMean', ['x'], ['y'], [attr.int('keepdims', 0)], { name: 'r' }), { opset: 11 }));
    expect(layerNamed(network, 'r')).toMatchObject({ inputs: ['x'], attributes: { keepdims: 0, noop_with_empty_axes: 0 } });
  });

  it('keeps the axes input and noop_with_empty_axes of opset 18', () => {
    const { network } = parseModel(singleNodeModel(node('ReduceMean', ['x', 'axes'], ['y'], [attr.int('noop_with_empty_axes', 1)], { name: 'r' }), {
      opset: 18, initializers: [int64Tensor('axes', [0], [])],
    }));
    expect(layerNamed(network, 'r')).toMatchObject({ inputs: ['x', 'axes'], attributes: { keepdims: 1, noop_with_empty_axes: 1 } });
  });
});

describe('Slice', () => {
  it('turns opset < 10 attributes into int64 constant inputs, INT64_MAX included', () => {
    const { network } = parseModel(singleNodeModel(node('Slice', ['x'], ['y'], [
      attr.ints('starts', [1, 0]), attr.ints('ends', ['9223372036854775807', -1]), attr.ints('axes', [2, 3]),
    ], { name: 'sl' }), { opset: 9 }));
    expect(layerNamed(network, 'sl').inputs).toEqual(['x', 'sl__starts', 'sl__ends', 'sl__axes']);
    expect(constantNamed(network, 'sl__ends').data).toEqual(BigInt64Array.of(9223372036854775807n, -1n));
    expect(valuesOf(network, 'sl__starts')).toEqual([1, 0]);
    expect(valuesOf(network, 'sl__axes')).toEqual([2, 3]);
  });

  it('keeps the inputs of opset 10 and later', () => {
    const { network } = parseModel(singleNodeModel(node('Slice', ['x', 's', 'e'], ['y'], [], { name: 'sl' }), {
      opset: 10, initializers: [int64Tensor('s', [1], [0]), int64Tensor('e', [1], [2])],
    }));
    expect(layerNamed(network, 'sl').inputs).toEqual(['x', 's', 'e']);
  });
});

describe('Pad', () => {
  it('turns opset < 11 pads and value into inputs', () => {
    const { network } = parseModel(singleNodeModel(node('Pad', ['x'], ['y'], [
      attr.ints('pads', [0, 0, 1, 1, 0, 0, 1, 1]), attr.float('value', 0.5), attr.string('mode', 'constant'),
    ], { name: 'p' }), { opset: 10 }));
    expect(layerNamed(network, 'p')).toEqual({
      name: 'p', type: 'Pad', inputs: ['x', 'p__pads', 'p__constant_value'], outputs: ['y'], attributes: { mode: 'constant' },
    });
    expect(valuesOf(network, 'p__pads')).toEqual([0, 0, 1, 1, 0, 0, 1, 1]);
    expect(constantNamed(network, 'p__constant_value')).toEqual({ dtype: 'float32', shape: [], data: Float32Array.of(0.5) });
  });

  it('fills mode and keeps the inputs of opset 11', () => {
    const { network } = parseModel(singleNodeModel(node('Pad', ['x', 'pads'], ['y'], [], { name: 'p' }), {
      opset: 11, initializers: [int64Tensor('pads', [8], [0, 0, 1, 1, 0, 0, 1, 1])],
    }));
    expect(layerNamed(network, 'p')).toMatchObject({ inputs: ['x', 'pads'], attributes: { mode: 'constant' } });
  });
});

describe('Clip', () => {
  it('turns opset < 11 min and max attributes into scalar inputs', () => {
    const { network } = parseModel(singleNodeModel(node('Clip', ['x'], ['y'], [attr.float('min', 0), attr.float('max', 6)], { name: 'c' }), { opset: 10 }));
    expect(layerNamed(network, 'c').inputs).toEqual(['x', 'c__min', 'c__max']);
    expect(constantNamed(network, 'c__min')).toEqual({ dtype: 'float32', shape: [], data: Float32Array.of(0) });
    expect(constantNamed(network, 'c__max')).toEqual({ dtype: 'float32', shape: [], data: Float32Array.of(6) });
  });

  it('leaves an absent min as an omitted input', () => {
    const { network } = parseModel(singleNodeModel(node('Clip', ['x'], ['y'], [attr.float('max', 6)], { name: 'c' }), { opset: 7 }));
    expect(layerNamed(network, 'c').inputs).toEqual(['x', '', 'c__max']);
  });

  it('makes the bounds float16 for a float16 input', () => {
    const bytes = encodeModel({
      opset: 10,
      nodes: [node('Clip', ['h'], ['y'], [attr.float('min', -1), attr.float('max', 0.5)], { name: 'c' })],
      inputs: [valueInfo('h', OnnxDataType.FLOAT16, [4])],
      outputs: [valueInfo('y', OnnxDataType.FLOAT16)],
    });
    const { network } = parseModel(bytes);
    expect(constantNamed(network, 'c__min')).toEqual({ dtype: 'float16', shape: [], data: Uint16Array.of(0xbc00) });
    expect(constantNamed(network, 'c__max')).toEqual({ dtype: 'float16', shape: [], data: Uint16Array.of(0x3800) });
  });

  it('keeps the inputs of opset 11', () => {
    const { network } = parseModel(singleNodeModel(node('Clip', ['x', '', 'hi'], ['y'], [], { name: 'c' }), {
      opset: 11, initializers: [floatTensor('hi', [], [6])],
    }));
    expect(layerNamed(network, 'c').inputs).toEqual(['x', '', 'hi']);
  });
});

const LEGACY_RESIZE = {
  antialias: 0,
  coordinate_transformation_mode: 'asymmetric',
  cubic_coeff_a: -0.75,
  exclude_outside: 0,
  extrapolation_value: 0,
  keep_aspect_ratio_policy: 'stretch',
  nearest_mode: 'floor',
};

describe('Upsample', () => {
  it("becomes Resize with opset 7's scales attribute as a constant input", () => {
    const { network } = parseModel(singleNodeModel(node('Upsample', ['x'], ['y'], [attr.floats('scales', [1, 1, 2, 2])], { name: 'up' }), { opset: 7 }));
    expect(layerNamed(network, 'up')).toEqual({
      name: 'up', type: 'Resize', inputs: ['x', '', 'up__scales'], outputs: ['y'], attributes: { ...LEGACY_RESIZE, mode: 'nearest' },
    });
    expect(constantNamed(network, 'up__scales')).toEqual({ dtype: 'float32', shape: [4], data: Float32Array.of(1, 1, 2, 2) });
  });

  it("becomes Resize with opset 9's scales input", () => {
    const { network } = parseModel(singleNodeModel(node('Upsample', ['x', 'sc'], ['y'], [attr.string('mode', 'linear')], { name: 'up' }), {
      opset: 9, initializers: [floatTensor('sc', [4], [1, 1, 2, 2])],
    }));
    expect(layerNamed(network, 'up')).toMatchObject({ type: 'Resize', inputs: ['x', '', 'sc'], attributes: { ...LEGACY_RESIZE, mode: 'linear' } });
  });
});

describe('Resize', () => {
  it('maps opset 10 to the newest form with asymmetric coordinates and floor rounding', () => {
    const { network } = parseModel(singleNodeModel(node('Resize', ['x', 'sc'], ['y'], [attr.string('mode', 'linear')], { name: 'rs' }), {
      opset: 10, initializers: [floatTensor('sc', [4], [1, 1, 2, 2])],
    }));
    expect(layerNamed(network, 'rs')).toEqual({
      name: 'rs', type: 'Resize', inputs: ['x', '', 'sc'], outputs: ['y'], attributes: { ...LEGACY_RESIZE, mode: 'linear' },
    });
  });

  it('drops the unused roi and the empty scales of opset 11', () => {
    const { network } = parseModel(singleNodeModel(node('Resize', ['x', 'roi', 'sc', 'sizes'], ['y'], [], { name: 'rs' }), {
      opset: 11,
      initializers: [floatTensor('roi', [0], []), floatTensor('sc', [0], []), int64Tensor('sizes', [4], [1, 3, 16, 16])],
    }));
    expect(layerNamed(network, 'rs')).toEqual({
      name: 'rs', type: 'Resize', inputs: ['x', '', '', 'sizes'], outputs: ['y'],
      attributes: { ...LEGACY_RESIZE, coordinate_transformation_mode: 'half_pixel', nearest_mode: 'round_prefer_floor', mode: 'nearest' },
    });
  });

  it('keeps the roi for tf_crop_and_resize', () => {
    const { network } = parseModel(singleNodeModel(node('Resize', ['x', 'roi', 'sc'], ['y'], [
      attr.string('coordinate_transformation_mode', 'tf_crop_and_resize'), attr.float('extrapolation_value', 1.5),
    ], { name: 'rs' }), {
      opset: 13, initializers: [floatTensor('roi', [8], [0, 0, 0, 0, 1, 1, 1, 1]), floatTensor('sc', [4], [1, 1, 2, 2])],
    }));
    expect(layerNamed(network, 'rs')).toMatchObject({ inputs: ['x', 'roi', 'sc'], attributes: { extrapolation_value: 1.5 } });
  });

  it("refuses opset 11's tf_half_pixel_for_nn, which later opsets dropped", () => {
    const issues = parseIssues(singleNodeModel(node('Resize', ['x', '', 'sc'], ['y'], [
      attr.string('coordinate_transformation_mode', 'tf_half_pixel_for_nn'),
    ], { name: 'rs' }), { opset: 11, initializers: [floatTensor('sc', [4], [1, 1, 2, 2])] }));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ node: 'rs', opType: 'Resize', opset: 11 });
    expect(issues[0].message).toContain('tf_half_pixel_for_nn');
  });
});

describe('BatchNormalization', () => {
  const inputs = ['x', 'scale', 'bias', 'mean', 'var'];
  const stats = inputs.slice(1).map((name) => floatTensor(name, [3], [1, 2, 3]));

  it('drops unused training outputs', () => {
    const { network } = parseModel(singleNodeModel(node('BatchNormalization', inputs, ['y', 'rm', 'rv', 'sm', 'sv'], [attr.float('epsilon', 1e-3)], { name: 'bn' }), {
      opset: 9, initializers: stats,
    }));
    const bn = layerNamed(network, 'bn');
    expect(bn.inputs).toEqual(inputs);
    expect(bn.outputs).toEqual(['y']);
    expect(bn.attributes.epsilon).toBeCloseTo(1e-3, 9);
    expect(bn.attributes.momentum).toBe(Math.fround(0.9));
    expect(bn.attributes.training_mode).toBe(0);
  });

  it('refuses a model that reads a training output', () => {
    const bytes = encodeModel({
      opset: 9,
      nodes: [node('BatchNormalization', inputs, ['y', 'rm'], [], { name: 'bn' }), node('Add', ['y', 'rm'], ['z'], [], { name: 'add' })],
      inputs: [valueInfo('x', F, [1, 3, 4, 4])],
      outputs: [valueInfo('z', F)],
      initializers: stats,
    });
    const issues = parseIssues(bytes);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ node: 'bn', opType: 'BatchNormalization', opset: 9 });
    expect(issues[0].message).toContain("'rm'");
  });

  it("refuses opset 7's spatial=0 and opset 15's training_mode=1", () => {
    const spatial = parseIssues(singleNodeModel(node('BatchNormalization', inputs, ['y'], [attr.int('spatial', 0)], { name: 'bn' }), { opset: 7, initializers: stats }));
    expect(spatial.map((i) => i.message)).toEqual(["attribute 'spatial' = 0 (per-activation statistics) is not supported"]);
    const training = parseIssues(singleNodeModel(node('BatchNormalization', inputs, ['y'], [attr.int('training_mode', 1)], { name: 'bn' }), { opset: 15, initializers: stats }));
    expect(training).toHaveLength(1);
    expect(training[0].message).toContain('training_mode');
  });
});

describe('Dropout', () => {
  it('becomes Identity when its mask is unused', () => {
    const { network } = parseModel(singleNodeModel(node('Dropout', ['x'], ['y', 'mask'], [attr.float('ratio', 0.3)], { name: 'd' }), { opset: 10 }));
    expect(layerNamed(network, 'd')).toEqual({ name: 'd', type: 'Identity', inputs: ['x'], outputs: ['y'], attributes: {} });
  });

  it('drops the ratio input of opset 12', () => {
    const { network } = parseModel(singleNodeModel(node('Dropout', ['x', 'ratio'], ['y'], [], { name: 'd' }), {
      opset: 12, initializers: [floatTensor('ratio', [], [0.1])],
    }));
    expect(layerNamed(network, 'd')).toMatchObject({ type: 'Identity', inputs: ['x'] });
  });

  it('refuses a constant true training_mode', () => {
    const bytes = encodeModel({
      opset: 13,
      nodes: [node('Dropout', ['x', '', 'train'], ['y'], [], { name: 'd' })],
      inputs: [valueInfo('x', F, [4])],
      outputs: [valueInfo('y', F)],
      initializers: [{ name: 'train', dims: [], data_type: OnnxDataType.BOOL, int32_data: [1] }],
    });
    const messages = parseIssues(bytes).map((issue) => issue.message);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain('training_mode');
  });

  it('gives a used mask as all true, of the input shape', () => {
    const bytes = encodeModel({
      opset: 13,
      nodes: [node('Dropout', ['x'], ['y', 'mask'], [], { name: 'd' }), node('Cast', ['mask'], ['z'], [attr.int('to', 1)], { name: 'c' })],
      inputs: [valueInfo('x', F, [4])],
      outputs: [valueInfo('y', F), valueInfo('z', F)],
    });
    const { network } = parseModel(bytes);
    const mask = network.layers.find((layer) => layer.outputs.includes('mask'));
    expect(mask).toMatchObject({ type: 'ConstantOfShape', inputs: ['d__shape'] });
    expect((mask!.attributes.value as { dtype: string }).dtype).toBe('bool');
  });
});

describe('Softmax', () => {
  it('decomposes opset < 13 with a non-last axis into Shape, Flatten, Softmax and Reshape', () => {
    const { network } = parseModel(singleNodeModel(node('Softmax', ['x'], ['y'], [], { name: 'sm' }), { opset: 11, shape: [1, 3, 8, 8] }));
    expect(network.layers).toEqual([
      { name: 'sm__shape', type: 'Shape', inputs: ['x'], outputs: ['sm__shape'], attributes: { start: 0 } },
      { name: 'sm__flatten', type: 'Flatten', inputs: ['x'], outputs: ['sm__flat'], attributes: { axis: 1 } },
      { name: 'sm', type: 'Softmax', inputs: ['sm__flat'], outputs: ['sm__softmax'], attributes: { axis: -1 } },
      { name: 'sm__reshape', type: 'Reshape', inputs: ['sm__softmax', 'sm__shape'], outputs: ['y'], attributes: { allowzero: 0 } },
    ]);
  });

  it('keeps opset < 13 on the last axis a single Softmax', () => {
    const { network } = parseModel(singleNodeModel(node('Softmax', ['x'], ['y'], [], { name: 'sm' }), { opset: 11, shape: [4, 10] }));
    expect(network.layers).toEqual([{ name: 'sm', type: 'Softmax', inputs: ['x'], outputs: ['y'], attributes: { axis: -1 } }]);
  });

  it('defaults the axis to -1 from opset 13', () => {
    const { network } = parseModel(singleNodeModel(node('Softmax', ['x'], ['y'], [], { name: 'sm' }), { opset: 13 }));
    expect(network.layers).toEqual([{ name: 'sm', type: 'Softmax', inputs: ['x'], outputs: ['y'], attributes: { axis: -1 } }]);
  });
});
