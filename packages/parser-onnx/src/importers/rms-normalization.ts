import type { NodeContext } from '../graph/node-context.js';
import { ImportFailure } from '../import-failure.js';
import { Decomposition } from './decomposition.js';
import { standardOp, type OpImporter } from './op-importer.js';

/**
 * RMSNormalization as X / sqrt(mean(X², axes axis..last) + epsilon) · scale. The axes are written
 * out, so the input's rank must be known.
 */
function importRmsNormalization(node: NodeContext): void {
  const x = node.input(0);
  const rank = node.graph.shapeOf(x)?.length;
  if (rank === undefined) throw new ImportFailure(`the rank of input '${x}' must be known`);
  const axis = node.attrs.int('axis', -1)!;
  if (axis < -rank || axis >= rank) throw new ImportFailure(`attribute 'axis' = ${axis} is out of range for rank ${rank}`);
  const stashType = node.attrs.int('stash_type', 1);
  if (stashType !== 1) node.fail(`attribute 'stash_type' = ${stashType} is not supported (Kiln computes in float32)`);
  const first = axis < 0 ? axis + rank : axis;
  const axes = node.int64Constant('axes', Array.from({ length: rank - first }, (_, i) => first + i));
  const epsilon = node.floatConstant('epsilon', [node.attrs.float('epsilon', 1e-5)!], [], x);
  const d = new Decomposition(node);
  const squared = d.add('squared', 'Mul', [x, x]);
  const meanSquare = d.add('mean_square', 'ReduceMean', [squared, axes], { keepdims: 1, noop_with_empty_axes: 0 });
  const rms = d.add('rms', 'Sqrt', [d.add('mean_square_eps', 'Add', [meanSquare, epsilon])]);
  const normalized = d.add('normalized', 'Div', [x, rms]);
  d.finish(node.output(0), 'Mul', [normalized, node.input(1)]);
}

export const rmsNormalizationImporters: OpImporter[] = [standardOp('RMSNormalization', 23, importRmsNormalization)];
