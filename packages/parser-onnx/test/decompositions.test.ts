import { describe, expect, it } from 'vitest';
import { OnnxDataType, attr, encodeModel, node, singleNodeModel, valueInfo } from './helpers/onnx-builder.js';
import { layerNamed, parseIssues, parseModel } from './helpers/parse.js';

const F = OnnxDataType.FLOAT;

function attentionModel(attributes: ReturnType<typeof attr.int>[], shapes: { q: (number | string)[]; kv: (number | string)[] }) {
  return encodeModel({
    opset: 23,
    nodes: [node('Attention', ['q', 'k', 'v'], ['y'], attributes, { name: 'att' })],
    inputs: [valueInfo('q', F, shapes.q), valueInfo('k', F, shapes.kv), valueInfo('v', F, shapes.kv)],
    outputs: [valueInfo('y', F)],
  });
}

describe('Attention', () => {
  it('imports as scaled scores, Softmax and a product with V, named after the node', () => {
    const { network } = parseModel(attentionModel([], { q: [1, 2, 3, 4], kv: [1, 2, 5, 4] }));
    expect(network.layers.map((l) => l.type)).toEqual(['Mul', 'Transpose', 'Mul', 'MatMul', 'Softmax', 'MatMul', 'Identity']);
    expect(layerNamed(network, 'att').outputs).toEqual(['y']);
  });

  it('refuses a softmax_precision other than float and dynamic shapes, naming the node', () => {
    const issues = parseIssues(attentionModel([attr.int('softmax_precision', 10)], { q: [1, 2, 3, 4], kv: [1, 2, 5, 4] }));
    expect(issues).toEqual([expect.objectContaining({ node: 'att', message: "attribute 'softmax_precision' = 10 is not supported (Kiln computes in float32)" })]);
    const dynamic = parseIssues(attentionModel([], { q: ['batch', 2, 3, 4], kv: ['batch', 2, 5, 4] }));
    expect(dynamic[0]).toMatchObject({ node: 'att', message: "Q 'q' must have a static shape" });
  });

  it('gives present_key as K when there is no past cache', () => {
    const bytes = encodeModel({
      opset: 23,
      nodes: [node('Attention', ['q', 'k', 'v'], ['y', 'present_key'], [], { name: 'att' })],
      inputs: [valueInfo('q', F, [1, 2, 3, 4]), valueInfo('k', F, [1, 2, 5, 4]), valueInfo('v', F, [1, 2, 5, 4])],
      outputs: [valueInfo('y', F), valueInfo('present_key', F)],
    });
    const { network } = parseModel(bytes);
    expect(network.layers.find((l) => l.outputs.includes('present_key'))).toMatchObject({ type: 'Identity', inputs: ['k'] });
  });

  it('needs the head counts for 3-D inputs', () => {
    const issues = parseIssues(attentionModel([], { q: [1, 3, 8], kv: [1, 5, 8] }));
    expect(issues[0].message).toBe("3-D inputs need attributes 'q_num_heads' and 'kv_num_heads'");
  });
});

describe('losses', () => {
  it('refuses an unknown reduction', () => {
    const bytes = encodeModel({
      opset: 13,
      nodes: [node('NegativeLogLikelihoodLoss', ['x', 't'], ['y'], [attr.string('reduction', 'max')], { name: 'nll' })],
      inputs: [valueInfo('x', F, [2, 3]), valueInfo('t', OnnxDataType.INT64, [2])],
      outputs: [valueInfo('y', F)],
    });
    expect(parseIssues(bytes)[0]).toMatchObject({ node: 'nll', message: "attribute 'reduction' = 'max' is not one of none, sum, mean" });
  });

  it('writes SoftmaxCrossEntropyLoss log_prob only where it is used', () => {
    const bytes = encodeModel({
      opset: 13,
      nodes: [node('SoftmaxCrossEntropyLoss', ['x', 't'], ['y', 'log_prob'], [attr.string('reduction', 'sum')], { name: 'sce' })],
      inputs: [valueInfo('x', F, [2, 3]), valueInfo('t', OnnxDataType.INT64, [2])],
      outputs: [valueInfo('y', F), valueInfo('log_prob', F)],
    });
    const { network } = parseModel(bytes);
    expect(network.layers.find((l) => l.outputs.includes('log_prob'))).toMatchObject({ type: 'LogSoftmax', attributes: { axis: 1 } });
    expect(layerNamed(network, 'sce')).toMatchObject({ type: 'ReduceSum', outputs: ['y'] });
  });
});

describe('RMSNormalization', () => {
  it('reduces over the axes from axis to the last', () => {
    const { network } = parseModel(singleNodeModel(node('RMSNormalization', ['x', 'scale'], ['y'], [attr.int('axis', 1)], { name: 'rms' }), {
      opset: 23,
      shape: [2, 3, 4],
      extraInputs: [valueInfo('scale', F, [3, 4])],
    }));
    const mean = network.layers.find((l) => l.type === 'ReduceMean')!;
    expect(Array.from(network.constants.get(mean.inputs[1])!.data as BigInt64Array, Number)).toEqual([1, 2]);
  });

  it('refuses stash_type other than float', () => {
    const issues = parseIssues(singleNodeModel(node('RMSNormalization', ['x', 'scale'], ['y'], [attr.int('stash_type', 10)], { name: 'rms' }), {
      opset: 23,
      extraInputs: [valueInfo('scale', F, [8])],
    }));
    expect(issues[0]).toMatchObject({ node: 'rms', message: "attribute 'stash_type' = 10 is not supported (Kiln computes in float32)" });
  });
});

describe('other decompositions', () => {
  it('refuses Hardmax before opset 13 on a non-last axis', () => {
    const issues = parseIssues(singleNodeModel(node('Hardmax', ['x'], ['y'], [attr.int('axis', 1)], { name: 'hm' }), { opset: 11, shape: [2, 3, 4] }));
    expect(issues[0]).toMatchObject({ node: 'hm', message: 'axis 1 before opset 13 (over the input flattened to 2-D) is supported only as the last axis' });
  });

  it('refuses LpNormalization with p other than 1 or 2 and LpPool with ceil_mode', () => {
    expect(parseIssues(singleNodeModel(node('LpNormalization', ['x'], ['y'], [attr.int('p', 3)], { name: 'lp' })))[0].message).toBe("attribute 'p' = 3 is not 1 or 2");
    const pool = parseIssues(singleNodeModel(node('LpPool', ['x'], ['y'], [attr.ints('kernel_shape', [2, 2]), attr.int('ceil_mode', 1)], { name: 'lpp' }), { opset: 18 }));
    expect(pool[0]).toMatchObject({ node: 'lpp', message: expect.stringContaining("'ceil_mode' = 1") });
  });

  it('makes EyeLike of a static input a constant', () => {
    const { network } = parseModel(singleNodeModel(node('EyeLike', ['x'], ['y'], [attr.int('k', 1)], { name: 'eye' }), { opset: 9, shape: [2, 3] }));
    expect(Array.from(network.constants.get('y')!.data as Float32Array)).toEqual([0, 1, 0, 0, 0, 1]);
  });

  it('imports Not of opset 1', () => {
    const { network } = parseModel(singleNodeModel(node('Not', ['x'], ['y'], [], { name: 'n' }), { opset: 1 }));
    expect(layerNamed(network, 'n').type).toBe('Not');
  });

  it('accepts opset 28 for ops whose semantics did not change', () => {
    const { network } = parseModel(singleNodeModel(node('Relu', ['x'], ['y'], [], { name: 'r' }), { opset: 28 }));
    expect(layerNamed(network, 'r').type).toBe('Relu');
  });
});
