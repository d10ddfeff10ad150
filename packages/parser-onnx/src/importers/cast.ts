import type { NodeContext } from '../graph/node-context.js';
import { ImportFailure } from '../import-failure.js';
import { kilnDType, onnxDataTypeName } from '../tensor/onnx-dtypes.js';
import { sameFormOp, standardOp, type OpImporter } from './op-importer.js';

/** Cast: `to` becomes the Kiln dtype name ('float32', 'int64', ...). */
function importCast(node: NodeContext): void {
  const to = node.attrs.int('to');
  if (to === undefined) throw new ImportFailure("attribute 'to' is required");
  const dtype = kilnDType(to);
  if (!dtype) node.fail(`attribute 'to' = ${onnxDataTypeName(to)} has no Kiln dtype`);
  node.emit({
    type: 'Cast',
    inputs: [node.input(0)],
    outputs: [node.output(0)],
    attributes: { to: dtype ?? onnxDataTypeName(to), saturate: node.attrs.int('saturate', 1) },
  });
}

export const castImporters: OpImporter[] = [
  standardOp('Cast', 1, importCast),
  sameFormOp('CastLike', 15, (node) => ({ saturate: node.attrs.int('saturate', 1) })),
];
