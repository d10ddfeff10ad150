import type { AttributeValue } from '@kiln/core';
import type { NodeContext } from '../graph/node-context.js';
import { ImportFailure } from '../import-failure.js';
import { sameFormOp, standardOp, type OpImporter } from './op-importer.js';

/** Clip: opset < 11 gives min and max as attributes, later opsets as optional scalar inputs. */
function importClip(node: NodeContext): void {
  const input = node.input(0);
  let min = node.input(1);
  let max = node.input(2);
  if (node.opset < 11) {
    const minValue = node.attrs.float('min');
    const maxValue = node.attrs.float('max');
    min = minValue === undefined ? '' : node.floatConstant('min', [minValue], [], input);
    max = maxValue === undefined ? '' : node.floatConstant('max', [maxValue], [], input);
  }
  node.emit({ type: 'Clip', inputs: [input, min, max], outputs: [node.output(0)] });
}

function geluAttributes(node: NodeContext): Record<string, AttributeValue> {
  const approximate = node.attrs.string('approximate', 'none');
  if (approximate !== 'none' && approximate !== 'tanh') throw new ImportFailure(`attribute 'approximate' = '${approximate}' is not 'none' or 'tanh'`);
  return { approximate };
}

export const activationImporters: OpImporter[] = [
  sameFormOp('Relu', 1),
  sameFormOp('Sigmoid', 1),
  sameFormOp('Tanh', 1),
  sameFormOp('LeakyRelu', 1, (node) => ({ alpha: node.attrs.float('alpha', 0.01) })),
  sameFormOp('HardSigmoid', 1, (node) => ({ alpha: node.attrs.float('alpha', 0.2), beta: node.attrs.float('beta', 0.5) })),
  sameFormOp('HardSwish', 14),
  standardOp('Clip', 1, importClip),
  sameFormOp('PRelu', 1),
  sameFormOp('Elu', 1, (node) => ({ alpha: node.attrs.float('alpha', 1) })),
  sameFormOp('Celu', 12, (node) => ({ alpha: node.attrs.float('alpha', 1) })),
  sameFormOp('Selu', 1, (node) => ({ alpha: node.attrs.float('alpha', 1.67326319217681884765625), gamma: node.attrs.float('gamma', 1.05070102214813232421875) })),
  sameFormOp('ThresholdedRelu', 10, (node) => ({ alpha: node.attrs.float('alpha', 1) })),
  sameFormOp('Softplus', 1),
  sameFormOp('Softsign', 1),
  sameFormOp('Mish', 18),
  sameFormOp('Gelu', 20, geluAttributes),
];
