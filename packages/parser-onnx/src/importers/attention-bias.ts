import { createTensor } from '@kiln/core';
import type { NodeContext } from '../graph/node-context.js';
import { ImportFailure } from '../import-failure.js';
import { numberToInt64 } from '../proto/int64.js';
import type { Decomposition } from './decomposition.js';

/** The static sizes of one Attention node, in its 4-D [batch, heads, sequence, head size] form. */
export interface AttentionSizes {
  batch: number;
  qHeads: number;
  kvHeads: number;
  qLength: number;
  /** Past plus new keys. */
  totalLength: number;
  pastLength: number;
  headSize: number;
  valueHeadSize: number;
}

const NEG_INF = -Infinity;

/**
 * Which keys each query may attend, from `is_causal`, `nonpad_kv_seqlen` and the opset 25 windows,
 * as a bool tensor; '' when every key is allowed. Query i sits at position p = offset + i, where
 * offset is the past length, or nonpad_kv_seqlen - qLength per batch for an external cache.
 */
function structuralMask(node: NodeContext, d: Decomposition, sizes: AttentionSizes): string {
  const causal = node.attrs.int('is_causal', 0) === 1;
  const left = node.opset >= 25 ? node.attrs.int('left_window_size', -1) : -1;
  const right = node.opset >= 25 ? node.attrs.int('right_window_size', -1) : -1;
  const nonpad = node.input(6);
  if (!causal && left < 0 && right < 0 && !nonpad) return '';
  const int64 = (suffix: string, values: number[], shape: number[]) => node.constant(suffix, createTensor('int64', shape, BigInt64Array.from(values, numberToInt64)));
  const rows = int64('query_index', Array.from({ length: sizes.qLength }, (_, i) => i), [sizes.qLength, 1]);
  const keys = int64('key_index', Array.from({ length: sizes.totalLength }, (_, j) => j), [1, sizes.totalLength]);
  let position = rows;
  let valid = '';
  if (nonpad) {
    const perBatch = d.add('nonpad_length', 'Reshape', [nonpad, node.int64Constant('batch_shape', [sizes.batch, 1, 1, 1])], { allowzero: 0 });
    valid = d.add('key_not_padding', 'Less', [keys, perBatch]);
    if (!node.input(4)) position = d.add('query_position', 'Add', [rows, d.add('cache_offset', 'Sub', [perBatch, int64('query_length', [sizes.qLength], [])])]);
  }
  if (node.input(4) && sizes.pastLength) position = d.add('query_position', 'Add', [rows, int64('past_length', [sizes.pastLength], [])]);
  const allowed = [valid];
  if (causal) allowed.push(d.add('causal', 'LessOrEqual', [keys, position]));
  if (right >= 0) allowed.push(d.add('right_window', 'LessOrEqual', [keys, d.add('right_edge', 'Add', [position, int64('right_window_size', [right], [])])]));
  if (left >= 0) allowed.push(d.add('left_window', 'GreaterOrEqual', [keys, d.add('left_edge', 'Sub', [position, int64('left_window_size', [left], [])])]));
  return allowed.filter(Boolean).reduce((a, b) => d.add('allowed', 'And', [a, b]));
}

/**
 * attn_mask as an additive float bias: a bool mask becomes 0 / -inf; a mask shorter than the total
 * sequence (opset 24 on) is padded with -inf keys.
 */
function maskBias(node: NodeContext, d: Decomposition, sizes: AttentionSizes, like: string): string {
  const mask = node.input(3);
  if (!mask) return '';
  const shape = node.graph.shapeOf(mask);
  const dtype = node.graph.dtypeOf(mask);
  if (!shape || shape.some((dim) => typeof dim !== 'number') || !dtype) throw new ImportFailure(`attn_mask '${mask}' must have a known type and static shape`);
  const zero = node.floatConstant('zero', [0], [], like);
  const negInf = node.floatConstant('neg_inf', [NEG_INF], [], like);
  let bias = dtype === 'bool' ? d.add('mask_bias', 'Where', [mask, zero, negInf]) : mask;
  const dims = shape as number[];
  const missing = sizes.totalLength - dims[dims.length - 1];
  if (missing < 0) throw new ImportFailure(`attn_mask '${mask}' is longer than the ${sizes.totalLength} keys`);
  if (missing > 0) {
    const padShape = [...dims.slice(0, -1), missing];
    const padding = node.floatConstant('mask_padding', new Array(padShape.reduce((a, b) => a * b, 1)).fill(NEG_INF), padShape, like);
    bias = d.add('mask_padded', 'Concat', [bias, padding], { axis: -1 });
  }
  return bias;
}

/**
 * The tensor an Attention node adds to its (soft-capped) scores, broadcasting to [batch, heads,
 * qLength, totalLength]; '' when nothing is masked.
 */
export function attentionBias(node: NodeContext, d: Decomposition, sizes: AttentionSizes, like: string): string {
  const mask = maskBias(node, d, sizes, like);
  const allowed = structuralMask(node, d, sizes);
  if (!allowed) return mask;
  const structural = d.add('structural_bias', 'Where', [allowed, node.floatConstant('allowed_bias', [0], [], like), node.floatConstant('masked_bias', [NEG_INF], [], like)]);
  return mask ? d.add('bias', 'Add', [mask, structural]) : structural;
}
