import { createTensor } from '@kiln/core';
import type { NodeContext } from '../graph/node-context.js';
import { ImportFailure } from '../import-failure.js';
import { numberToInt64 } from '../proto/int64.js';
import { Decomposition } from './decomposition.js';
import { standardOp, type OpImporter } from './op-importer.js';

/**
 * OneHot as Where(Equal(indices at a new axis, 0..depth-1), on, off). Negative indices count from
 * depth; out-of-range ones match nothing. The positions come from Range over depth, so depth must
 * be known when the engine is built.
 */
function importOneHot(node: NodeContext): void {
  const [indices, depth, values] = [node.input(0), node.input(1), node.input(2)];
  const rank = node.graph.shapeOf(indices)?.length;
  if (rank === undefined) throw new ImportFailure(`the rank of indices '${indices}' must be known`);
  const given = node.attrs.int('axis', -1);
  const axis = given < 0 ? given + rank + 1 : given;
  if (axis < 0 || axis > rank) throw new ImportFailure(`attribute 'axis' = ${given} is out of range for rank ${rank + 1}`);
  const d = new Decomposition(node);
  const int64 = (suffix: string, value: number) => node.constant(suffix, createTensor('int64', [], BigInt64Array.of(numberToInt64(value))));
  const count = d.add('depth', 'Cast', [d.add('depth_scalar', 'Reshape', [depth, node.int64Constant('scalar_shape', [])], { allowzero: 0 })], { to: 'int64', saturate: 1 });
  const positions = d.add('positions', 'Range', [int64('zero', 0), count, int64('one', 1)]);
  const positionShape = Array.from({ length: rank + 1 }, (_, i) => (i === axis ? -1 : 1));
  const shapedPositions = d.add('positions_shaped', 'Reshape', [positions, node.int64Constant('positions_shape', positionShape)], { allowzero: 0 });
  const index = d.add('index', 'Cast', [indices], { to: 'int64', saturate: 1 });
  const wrapped = d.add('index_wrapped', 'Where', [d.add('negative', 'Less', [index, int64('zero_index', 0)]), d.add('index_plus_depth', 'Add', [index, count]), index]);
  const hot = d.add('hot', 'Equal', [d.add('index_unsqueezed', 'Unsqueeze', [wrapped, node.int64Constant('axis', [axis])]), shapedPositions]);
  const pick = (suffix: string, i: number) => d.add(suffix, 'Gather', [values, int64(`${suffix}_index`, i)], { axis: 0 });
  d.finish(node.output(0), 'Where', [hot, pick('on_value', 1), pick('off_value', 0)]);
}

export const oneHotImporters: OpImporter[] = [standardOp('OneHot', 9, importOneHot)];
