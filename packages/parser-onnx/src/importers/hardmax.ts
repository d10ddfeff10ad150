import { createTensor } from '@kiln/core';
import type { NodeContext } from '../graph/node-context.js';
import { ImportFailure } from '../import-failure.js';
import { numberToInt64 } from '../proto/int64.js';
import { Decomposition } from './decomposition.js';
import { standardOp, type OpImporter } from './op-importer.js';

/**
 * Hardmax as Cast(Equal(positions along axis, ArgMax)): 1 at the first maximum, 0 elsewhere.
 * Before opset 13 it worked on the input flattened to 2-D at `axis`, which agrees only for the last axis.
 */
function importHardmax(node: NodeContext): void {
  const x = node.input(0);
  const shape = node.graph.shapeOf(x);
  const dtype = node.graph.dtypeOf(x);
  if (!shape || !dtype) throw new ImportFailure(`the shape and type of input '${x}' must be known`);
  const rank = shape.length;
  const given = node.attrs.int('axis', node.opset >= 13 ? -1 : 1);
  const axis = given < 0 ? given + rank : given;
  if (axis < 0 || axis >= rank) throw new ImportFailure(`attribute 'axis' = ${given} is out of range for rank ${rank}`);
  if (node.opset < 13 && axis !== rank - 1) throw new ImportFailure(`axis ${given} before opset 13 (over the input flattened to 2-D) is supported only as the last axis`);
  const size = shape[axis];
  if (typeof size !== 'number') throw new ImportFailure(`the size of axis ${axis} of '${x}' must be static`);
  const positionShape = shape.map((_, i) => (i === axis ? size : 1));
  const positions = node.constant('positions', createTensor('int64', positionShape, BigInt64Array.from({ length: size }, (_, i) => numberToInt64(i))));
  const d = new Decomposition(node);
  const argmax = d.add('argmax', 'ArgMax', [x], { axis, keepdims: 1, select_last_index: 0 });
  const isMax = d.add('is_max', 'Equal', [positions, argmax]);
  d.finish(node.output(0), 'Cast', [isMax], { to: dtype, saturate: 1 });
}

export const hardmaxImporters: OpImporter[] = [standardOp('Hardmax', 1, importHardmax)];
