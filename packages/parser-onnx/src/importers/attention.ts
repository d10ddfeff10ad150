import type { NodeContext } from '../graph/node-context.js';
import { ImportFailure } from '../import-failure.js';
import { attentionBias, type AttentionSizes } from './attention-bias.js';
import { Decomposition } from './decomposition.js';
import { standardOp, type OpImporter } from './op-importer.js';

const FLOAT = 1;

function staticShape(node: NodeContext, name: string, what: string): number[] {
  const shape = node.graph.shapeOf(name);
  if (!shape || shape.some((dim) => typeof dim !== 'number')) throw new ImportFailure(`${what} '${name}' must have a static shape`);
  return shape as number[];
}

/** Q, K, V and the past caches' sizes; 3-D inputs [batch, sequence, heads · size] need the head counts. */
function readSizes(node: NodeContext): AttentionSizes {
  const [q, k, v] = [0, 1, 2].map((i) => staticShape(node, node.input(i), ['Q', 'K', 'V'][i]));
  const past = node.input(4) ? staticShape(node, node.input(4), 'past_key') : undefined;
  const pastLength = past ? past[2] : 0;
  if (q.length === 4 && k.length === 4 && v.length === 4) {
    return { batch: q[0], qHeads: q[1], kvHeads: k[1], qLength: q[2], totalLength: pastLength + k[2], pastLength, headSize: q[3], valueHeadSize: v[3] };
  }
  if (q.length !== 3 || k.length !== 3 || v.length !== 3) throw new ImportFailure('Q, K and V must all be 3-D or all 4-D');
  const qHeads = node.attrs.int('q_num_heads');
  const kvHeads = node.attrs.int('kv_num_heads');
  if (!qHeads || !kvHeads) throw new ImportFailure("3-D inputs need attributes 'q_num_heads' and 'kv_num_heads'");
  return { batch: q[0], qHeads, kvHeads, qLength: q[1], totalLength: pastLength + k[1], pastLength, headSize: q[2] / qHeads, valueHeadSize: v[2] / kvHeads };
}

/**
 * Attention (opsets 23–25) as the layers of its definition: per-head Q, K, V (3-D inputs split
 * into heads), the past cache concatenated, K/V heads repeated for grouped queries, scores
 * Q·√scale · (K·√scale)ᵀ, soft cap, additive bias (attn_mask, causal, padding and window masks),
 * Softmax with fully masked rows set to zero, and the product with V.
 */
function importAttention(node: NodeContext): void {
  const sizes = readSizes(node);
  const { batch, qHeads, kvHeads, totalLength } = sizes;
  if (qHeads % kvHeads !== 0) throw new ImportFailure(`q_num_heads ${qHeads} is not a multiple of kv_num_heads ${kvHeads}`);
  if (Boolean(node.input(4)) !== Boolean(node.input(5))) throw new ImportFailure('past_key and past_value must be given together');
  const precision = node.attrs.int('softmax_precision');
  if (precision !== undefined && precision !== FLOAT) node.fail(`attribute 'softmax_precision' = ${precision} is not supported (Kiln computes in float32)`);
  const mode = node.attrs.int('qk_matmul_output_mode', 0);
  if (mode < 0 || mode > 3) throw new ImportFailure(`attribute 'qk_matmul_output_mode' = ${mode} is not 0..3`);

  const d = new Decomposition(node);
  const q = node.input(0);
  const threeD = node.graph.shapeOf(q)!.length === 3;
  const toHeads = (name: string, heads: number, suffix: string) =>
    threeD
      ? d.add(`${suffix}_heads`, 'Transpose', [d.add(`${suffix}_split`, 'Reshape', [name, node.int64Constant(`${suffix}_split_shape`, [0, 0, heads, -1])], { allowzero: 0 })], { perm: [0, 2, 1, 3] })
      : name;
  const withPast = (name: string, past: string, present: string, suffix: string) => {
    const presentUsed = present !== '' && node.graph.isUsed(present);
    if (!past) return presentUsed ? d.alias(present, name) : name;
    return d.finish(presentUsed ? present : node.tensorName(suffix), 'Concat', [past, name], { axis: 2 });
  };
  const key = withPast(toHeads(node.input(1), kvHeads, 'k'), node.input(4), node.output(1), 'present_key');
  const value = withPast(toHeads(node.input(2), kvHeads, 'v'), node.input(5), node.output(2), 'present_value');
  const repeatHeads = (name: string, size: number, suffix: string) => {
    if (qHeads === kvHeads) return name;
    const group = qHeads / kvHeads;
    const unsqueezed = d.add(`${suffix}_unsqueezed`, 'Unsqueeze', [name, node.int64Constant(`${suffix}_group_axis`, [2])]);
    const expanded = d.add(`${suffix}_repeated`, 'Expand', [unsqueezed, node.int64Constant(`${suffix}_repeat_shape`, [batch, kvHeads, group, totalLength, size])]);
    return d.add(`${suffix}_grouped`, 'Reshape', [expanded, node.int64Constant(`${suffix}_grouped_shape`, [batch, qHeads, totalLength, size])], { allowzero: 0 });
  };
  const keys = repeatHeads(key, sizes.headSize, 'k');
  const values = repeatHeads(value, sizes.valueHeadSize, 'v');

  const scale = node.attrs.float('scale') ?? 1 / Math.sqrt(sizes.headSize);
  const sqrtScale = node.floatConstant('sqrt_scale', [Math.sqrt(scale)], [], q);
  const queryScaled = d.add('q_scaled', 'Mul', [toHeads(q, qHeads, 'q'), sqrtScale]);
  const keyScaled = d.add('k_scaled', 'Mul', [d.add('k_transposed', 'Transpose', [keys], { perm: [0, 1, 3, 2] }), sqrtScale]);
  const scores = d.add('scores', 'MatMul', [queryScaled, keyScaled]);
  const softcap = node.attrs.float('softcap', 0);
  let capped = scores;
  if (softcap !== 0) {
    const cap = node.floatConstant('softcap', [softcap], [], q);
    capped = d.add('capped', 'Mul', [d.add('capped_tanh', 'Tanh', [d.add('scores_over_cap', 'Div', [scores, cap])]), cap]);
  }
  const bias = attentionBias(node, d, sizes, q);
  const biased = bias ? d.add('biased', 'Add', [capped, bias]) : capped;
  let probabilities = d.add('probabilities', 'Softmax', [biased], { axis: -1 });
  if (bias) {
    const rowMax = d.add('bias_row_max', 'ReduceMax', [bias, node.int64Constant('last_axis', [-1])], { keepdims: 1, noop_with_empty_axes: 0 });
    const fullyMasked = d.add('fully_masked', 'Equal', [rowMax, node.floatConstant('neg_inf', [-Infinity], [], q)]);
    probabilities = d.add('probabilities_guarded', 'Where', [fullyMasked, node.floatConstant('zero_probability', [0], [], q), probabilities]);
  }
  const qkOutput = node.output(3);
  if (qkOutput && node.graph.isUsed(qkOutput)) d.alias(qkOutput, [scores, capped, biased, probabilities][mode]);

  const attended = d.add('attended', 'MatMul', [probabilities, values]);
  if (!threeD) {
    d.alias(node.output(0), attended);
    return;
  }
  const merged = d.add('attended_sequence_major', 'Transpose', [attended], { perm: [0, 2, 1, 3] });
  d.finish(node.output(0), 'Reshape', [merged, node.int64Constant('y_shape', [0, 0, -1])], { allowzero: 0 });
}

export const attentionImporters: OpImporter[] = [standardOp('Attention', 23, importAttention)];
