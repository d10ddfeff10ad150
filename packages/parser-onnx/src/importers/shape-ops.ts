import type { AttributeValue } from '@kiln/core';
import type { NodeContext } from '../graph/node-context.js';
import { sameFormOp, type OpImporter } from './op-importer.js';

/** Transpose's perm defaults to reversing the axes, which can be written out only when the rank is known. */
function transposeAttributes(node: NodeContext): Record<string, AttributeValue> {
  const perm = node.attrs.ints('perm');
  if (perm) return { perm };
  const rank = node.graph.shapeOf(node.input(0))?.length;
  return rank === undefined ? {} : { perm: Array.from({ length: rank }, (_, i) => rank - 1 - i) };
}

/** Shape's `end` has no default value to write: absent means "through the last axis". */
function shapeAttributes(node: NodeContext): Record<string, AttributeValue> {
  const end = node.attrs.int('end');
  return { start: node.attrs.int('start', 0), ...(end === undefined ? {} : { end }) };
}

/** Range-27 added `stash_type`: float16 limits accumulated in float32 (1, the default) or float16 (0). */
function rangeAttributes(node: NodeContext): Record<string, AttributeValue> {
  const stashType = node.opset >= 27 ? node.attrs.int('stash_type', 1) : 1;
  if (stashType !== 1 && node.graph.dtypeOf(node.input(0)) !== 'float32') node.fail(`attribute 'stash_type' = ${stashType} is not supported (Kiln computes float16 ranges in float32)`);
  return {};
}

export const shapeOpImporters: OpImporter[] = [
  sameFormOp('Reshape', 5, (node) => ({ allowzero: node.attrs.int('allowzero', 0) })),
  sameFormOp('Flatten', 1, (node) => ({ axis: node.attrs.int('axis', 1) })),
  sameFormOp('Transpose', 1, transposeAttributes),
  sameFormOp('Shape', 1, shapeAttributes),
  sameFormOp('Expand', 8),
  sameFormOp('Identity', 1),
  sameFormOp('Size', 1),
  sameFormOp('Range', 11, rangeAttributes),
];
