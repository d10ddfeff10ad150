import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonReport, opTable, summaryLine } from '../src/conformance/report.js';
import { runSuite } from '../src/conformance/suite.js';
import { TensorProtoType } from '../src/proto/onnx-proto.js';
import { OnnxDataType, encodeModel, floatTensor, node, valueInfo, type TensorInit } from './helpers/onnx-builder.js';

const pb = (t: TensorInit) => TensorProtoType.encode(TensorProtoType.fromObject(t)).finish();

/** A test folder in the backend suite's layout: model.onnx and test_data_set_0/{input,output}_0.pb. */
function writeTest(root: string, name: string, model: Uint8Array, input: TensorInit, output: TensorInit): void {
  const data = path.join(root, name, 'test_data_set_0');
  mkdirSync(data, { recursive: true });
  writeFileSync(path.join(root, name, 'model.onnx'), model);
  writeFileSync(path.join(data, 'input_0.pb'), pb(input));
  writeFileSync(path.join(data, 'output_0.pb'), pb(output));
}

const oneNode = (op: string) =>
  encodeModel({ nodes: [node(op, ['x'], ['y'])], inputs: [valueInfo('x', OnnxDataType.FLOAT, [2, 2])], outputs: [valueInfo('y', OnnxDataType.FLOAT, [2, 2])] });

describe('conformance runner on a generated directory', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'kiln-conformance-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const x = floatTensor('x', [2, 2], [-1, 2, -3, 4]);
  writeTest(root, 'test_relu_ok', oneNode('Relu'), x, floatTensor('y', [2, 2], [0, 2, 0, 4]));
  writeTest(root, 'test_relu_wrong', oneNode('Relu'), x, floatTensor('y', [2, 2], [0, 2, 0, 5]));
  writeTest(root, 'test_unknown_op', oneNode('NoSuchOp'), x, floatTensor('y', [2, 2], [0, 0, 0, 0]));

  it('counts passed, failed and unsupported tests', async () => {
    const result = await runSuite(root);
    expect([result.passed, result.failed, result.unsupported, result.total]).toEqual([1, 1, 1, 3]);
    expect(summaryLine(result)).toBe('1 passed, 1 failed, 1 unsupported');
    expect(opTable(result).split('\n')).toEqual(['op        passed  failed  unsupported', 'NoSuchOp       0       0            1', 'Relu           1       1            0']);
  });

  it('reports every test with its status and reason as JSON', async () => {
    const json = JSON.parse(jsonReport(await runSuite(root)));
    expect(json).toMatchObject({ passed: 1, failed: 1, unsupported: 1, total: 3 });
    expect(json.tests.map((t: { name: string; status: string }) => [t.name, t.status])).toEqual([
      ['test_relu_ok', 'passed'],
      ['test_relu_wrong', 'failed'],
      ['test_unknown_op', 'unsupported'],
    ]);
    expect(json.tests[1].reason).toMatch(/1 of 4 elements differ; first at 3: 4, expected 5/);
    expect(json.tests[2].reason).toMatch(/NoSuchOp is not supported/);
  });

  it('filters tests by name', async () => {
    expect((await runSuite(root, { filter: 'relu' })).total).toBe(2);
  });
});

const SUITE = path.resolve(__dirname, '../../../../shared/onnx-backend/node');

/** Suite tests that must keep passing: one or more per op family Kiln runs. */
const MUST_PASS = [
  'test_matmul_2d', 'test_matmul_3d', 'test_matmul_4d', 'test_matmul_bcast', 'test_gemm_all_attributes', 'test_gemm_transposeB',
  'test_softmax_axis_1', 'test_logsoftmax_axis_0', 'test_add_int8', 'test_div_int32_trunc', 'test_max_int64', 'test_mod_mixed_sign_int64',
  'test_pow_types_int64_float32', 'test_equal_bcast', 'test_less_equal_bcast', 'test_and_bcast4v3d', 'test_xor_bcast4v4d',
  'test_where_long_example', 'test_erf', 'test_elu', 'test_selu', 'test_gelu_tanh_1', 'test_mish', 'test_prelu_broadcast',
  'test_softplus', 'test_mean_example', 'test_reduce_sum_do_not_keepdims_random', 'test_reduce_max_do_not_keepdims_random',
  'test_reduce_l2_do_not_keepdims_random', 'test_reduce_prod_do_not_keepdims_random', 'test_argmax_negative_axis_keepdims_random',
  'test_argmin_no_keepdims_random', 'test_gather_1', 'test_gather_elements_1', 'test_expand_dim_changed', 'test_tile', 'test_edge_pad',
  'test_reflect_pad', 'test_depthtospace_crd_mode_example', 'test_spacetodepth', 'test_instancenorm_example',
  'test_group_normalization_epsilon', 'test_top_k', 'test_size', 'test_flatten_negative_axis1', 'test_constantofshape_int_zeros',
  'test_slice_neg_steps', 'test_concat_3d_axis_negative_2', 'test_split_variable_parts_2d_opset18',
];

describe.skipIf(!existsSync(SUITE))('ONNX backend tests that must pass', () => {
  it('passes every listed test', async () => {
    const result = await runSuite(SUITE, { only: MUST_PASS });
    expect(result.tests.filter((t) => t.status !== 'passed').map((t) => `${t.name}: ${t.reason}`)).toEqual([]);
    expect(result.total).toBe(MUST_PASS.length);
  });
});
