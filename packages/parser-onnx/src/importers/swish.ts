import type { NodeContext } from '../graph/node-context.js';
import { Decomposition } from './decomposition.js';
import { standardOp, type OpImporter } from './op-importer.js';

/** a · Sigmoid(alpha · a); the gate of SwiGLU too. */
function swish(node: NodeContext, d: Decomposition, a: string, output?: string): string {
  const alpha = node.attrs.float('alpha', 1);
  const scaled = alpha === 1 ? a : d.add('alpha_x', 'Mul', [a, node.floatConstant('alpha', [alpha], [], a)]);
  const gate = d.add('sigmoid', 'Sigmoid', [scaled]);
  return output ? d.finish(output, 'Mul', [a, gate]) : d.add('swish', 'Mul', [a, gate]);
}

function importSwish(node: NodeContext): void {
  swish(node, new Decomposition(node), node.input(0), node.output(0));
}

/** SwiGLU: Swish_alpha(A) · B, A and B of one shape. */
function importSwiGlu(node: NodeContext): void {
  const d = new Decomposition(node);
  d.finish(node.output(0), 'Mul', [swish(node, d, node.input(0)), node.input(1)]);
}

export const swishImporters: OpImporter[] = [standardOp('Swish', 24, importSwish), standardOp('SwiGLU', 28, importSwiGlu)];
