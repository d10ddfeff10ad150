import type { AttributeValue } from '@kiln/core';
import type { NodeContext } from '../graph/node-context.js';
import { ImportFailure } from '../import-failure.js';
import { sameFormOp, standardOp, type OpImporter } from './op-importer.js';

/** Slice: before opset 10 starts, ends and axes are attributes; they become constant inputs. */
function importSlice(node: NodeContext): void {
  let inputs = node.node.inputs;
  if (node.opset < 10) {
    const starts = node.attrs.ints('starts');
    const ends = node.attrs.ints('ends');
    const axes = node.attrs.ints('axes');
    if (!starts || !ends) throw new ImportFailure("attributes 'starts' and 'ends' are required");
    inputs = [
      node.input(0),
      node.int64Constant('starts', starts),
      node.int64Constant('ends', ends),
      axes ? node.int64Constant('axes', axes) : '',
    ];
  }
  node.emit({ type: 'Slice', inputs, outputs: [node.output(0)] });
}

/**
 * Split: before opset 13 `split` is an attribute (it becomes a constant input); from opset 18 an
 * even split says `num_outputs`, which older opsets implied by the number of outputs.
 */
function importSplit(node: NodeContext): void {
  const outputs = node.node.outputs;
  let split = node.input(1);
  if (node.opset < 13) {
    const sizes = node.attrs.ints('split');
    split = sizes ? node.int64Constant('split', sizes) : '';
  }
  const attributes: Record<string, AttributeValue> = { axis: node.attrs.int('axis', 0) };
  const numOutputs = node.opset >= 18 ? node.attrs.int('num_outputs') : undefined;
  if (split !== '' && numOutputs !== undefined) throw new ImportFailure("gives both the 'split' input and 'num_outputs'");
  if (split === '') attributes.num_outputs = numOutputs ?? outputs.length;
  node.emit({ type: 'Split', inputs: [node.input(0), split], outputs, attributes });
}

function concatAttributes(node: NodeContext): Record<string, AttributeValue> {
  const axis = node.attrs.int('axis');
  if (axis === undefined) throw new ImportFailure("attribute 'axis' is required");
  return { axis };
}

export const slicingImporters: OpImporter[] = [
  standardOp('Slice', 1, importSlice),
  standardOp('Split', 1, importSplit),
  sameFormOp('Concat', 1, concatAttributes),
  sameFormOp('Gather', 1, (node) => ({ axis: node.attrs.int('axis', 0) })),
];
