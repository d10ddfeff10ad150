import type { NodeContext } from '../graph/node-context.js';
import { ImportFailure } from '../import-failure.js';
import { Decomposition } from './decomposition.js';
import { standardOp, type OpImporter } from './op-importer.js';

/**
 * CenterCropPad as in its ONNX function: pad each of `axes` up to the target (the extra half on
 * the end), then slice the centred target window (the extra half cut from the end).
 */
function importCenterCropPad(node: NodeContext): void {
  const [x, target] = [node.input(0), node.input(1)];
  const rank = node.graph.shapeOf(x)?.length;
  const given = node.attrs.ints('axes');
  if (!given && rank === undefined) throw new ImportFailure(`the rank of input '${x}' must be known when 'axes' is absent`);
  const axes = node.int64Constant('axes', given ?? Array.from({ length: rank! }, (_, i) => i));
  const two = node.int64Constant('two', [2]);
  const d = new Decomposition(node);
  const sizesOf = (tensor: string, suffix: string) => d.add(suffix, 'Gather', [d.add(`${suffix}_all`, 'Shape', [tensor], { start: 0 }), axes], { axis: 0 });
  const inputSizes = sizesOf(x, 'input_sizes');
  const padAmount = d.add('pad_amount', 'Sub', [d.add('padded_sizes', 'Max', [inputSizes, target]), inputSizes]);
  const padBegin = d.add('pad_begin', 'Div', [padAmount, two]);
  const pads = d.add('pads', 'Concat', [padBegin, d.add('pad_end', 'Sub', [padAmount, padBegin])], { axis: 0 });
  const padded = d.add('padded', 'Pad', [x, pads, '', axes], { mode: 'constant' });
  const starts = d.add('starts', 'Div', [d.add('excess', 'Sub', [sizesOf(padded, 'padded_sizes_actual'), target]), two]);
  d.finish(node.output(0), 'Slice', [padded, starts, d.add('ends', 'Add', [starts, target]), axes]);
}

export const centerCropPadImporters: OpImporter[] = [standardOp('CenterCropPad', 18, importCenterCropPad)];
