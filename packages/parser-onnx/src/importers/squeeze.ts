import type { NodeContext } from '../graph/node-context.js';
import { ImportFailure } from '../import-failure.js';
import { standardOp, type OpImporter } from './op-importer.js';

/** Squeeze and Unsqueeze: before opset 13 `axes` is an attribute; it becomes a constant second input. */
function axesOp(opType: 'Squeeze' | 'Unsqueeze', axesRequired: boolean) {
  return (node: NodeContext): void => {
    let axes = node.input(1);
    if (node.opset < 13) {
      const values = node.attrs.ints('axes');
      axes = values ? node.int64Constant('axes', values) : '';
    }
    if (axesRequired && axes === '') throw new ImportFailure("'axes' is required");
    node.emit({ type: opType, inputs: [node.input(0), axes], outputs: [node.output(0)] });
  };
}

export const squeezeImporters: OpImporter[] = [
  standardOp('Squeeze', 1, axesOp('Squeeze', false)),
  standardOp('Unsqueeze', 1, axesOp('Unsqueeze', true)),
];
