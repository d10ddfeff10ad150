import type { NodeContext } from '../graph/node-context.js';
import { Decomposition } from './decomposition.js';
import { standardOp, type OpImporter } from './op-importer.js';

/** Shrink: x + bias below -lambd, x - bias above lambd, 0 between. */
function importShrink(node: NodeContext): void {
  const x = node.input(0);
  if (node.graph.dtypeOf(x) !== 'float32' && node.graph.dtypeOf(x) !== 'float16') {
    node.fail(`input '${x}' must be float32 or float16 (Kiln computes the thresholds in floating point)`);
  }
  const lambd = node.attrs.float('lambd', 0.5);
  const bias = node.attrs.float('bias', 0);
  const constant = (suffix: string, value: number) => node.floatConstant(suffix, [value], [], x);
  const d = new Decomposition(node);
  const above = d.add('above', 'Greater', [x, constant('lambd', lambd)]);
  const below = d.add('below', 'Less', [x, constant('neg_lambd', -lambd)]);
  const inner = d.add('above_or_zero', 'Where', [above, d.add('x_minus_bias', 'Sub', [x, constant('bias', bias)]), constant('zero', 0)]);
  d.finish(node.output(0), 'Where', [below, d.add('x_plus_bias', 'Add', [x, constant('bias_add', bias)]), inner]);
}

export const shrinkImporters: OpImporter[] = [standardOp('Shrink', 9, importShrink)];
