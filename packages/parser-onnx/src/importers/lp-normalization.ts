import type { NodeContext } from '../graph/node-context.js';
import { ImportFailure } from '../import-failure.js';
import { Decomposition } from './decomposition.js';
import { standardOp, type OpImporter } from './op-importer.js';

/** LpNormalization as x / ReduceL1(x) or x / ReduceL2(x) along `axis`; an all-zero slice stays zero. */
function importLpNormalization(node: NodeContext): void {
  const p = node.attrs.int('p', 2);
  if (p !== 1 && p !== 2) throw new ImportFailure(`attribute 'p' = ${p} is not 1 or 2`);
  const x = node.input(0);
  const d = new Decomposition(node);
  const axes = node.int64Constant('axes', [node.attrs.int('axis', -1)]);
  const norm = d.add('norm', p === 1 ? 'ReduceL1' : 'ReduceL2', [x, axes], { keepdims: 1, noop_with_empty_axes: 0 });
  const isZero = d.add('norm_is_zero', 'Equal', [norm, node.floatConstant('zero', [0], [], x)]);
  const divisor = d.add('divisor', 'Where', [isZero, node.floatConstant('one', [1], [], x), norm]);
  d.finish(node.output(0), 'Div', [x, divisor]);
}

export const lpNormalizationImporters: OpImporter[] = [standardOp('LpNormalization', 1, importLpNormalization)];
