import type { NodeContext } from '../graph/node-context.js';
import { ImportFailure } from '../import-failure.js';
import { standardOp, type OpImporter } from './op-importer.js';

/** Pad: before opset 11 `pads` and `value` are attributes; they become the pads and constant_value inputs. */
function importPad(node: NodeContext): void {
  const modes = node.opset >= 19 ? ['constant', 'reflect', 'edge', 'wrap'] : ['constant', 'reflect', 'edge'];
  const mode = node.attrs.string('mode', 'constant');
  if (!modes.includes(mode)) node.fail(`attribute 'mode' = '${mode}' is not one of ${modes.join(', ')}`);
  let inputs = node.node.inputs;
  if (node.opset < 11) {
    const pads = node.attrs.ints('pads');
    if (!pads) throw new ImportFailure("attribute 'pads' is required");
    const value = node.attrs.float('value');
    const data = node.input(0);
    inputs = [data, node.int64Constant('pads', pads), value === undefined ? '' : node.floatConstant('constant_value', [value], [], data)];
  }
  node.emit({ type: 'Pad', inputs, outputs: [node.output(0)], attributes: { mode } });
}

export const padImporters: OpImporter[] = [standardOp('Pad', 2, importPad)];
