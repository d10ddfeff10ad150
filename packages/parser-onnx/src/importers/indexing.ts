import type { NodeContext } from '../graph/node-context.js';
import { ImportFailure } from '../import-failure.js';
import { sameFormOp, standardOp, type OpImporter } from './op-importer.js';

/** DepthToSpace: `mode` (opset 11) defaults to DCR, the only mode before it. */
function importDepthToSpace(node: NodeContext): void {
  const blocksize = node.attrs.int('blocksize');
  if (blocksize === undefined || blocksize < 1) throw new ImportFailure("attribute 'blocksize' must be a positive integer");
  const mode = node.opset >= 11 ? node.attrs.string('mode', 'DCR') : 'DCR';
  if (mode !== 'DCR' && mode !== 'CRD') throw new ImportFailure(`attribute 'mode' = '${mode}' is not DCR or CRD`);
  node.emit({ type: 'DepthToSpace', inputs: [node.input(0)], outputs: [node.output(0)], attributes: { blocksize, mode } });
}

function importSpaceToDepth(node: NodeContext): void {
  const blocksize = node.attrs.int('blocksize');
  if (blocksize === undefined || blocksize < 1) throw new ImportFailure("attribute 'blocksize' must be a positive integer");
  node.emit({ type: 'SpaceToDepth', inputs: [node.input(0)], outputs: [node.output(0)], attributes: { blocksize } });
}

/** TopK: before opset 10 `k` is an attribute (it becomes an input); `largest`/`sorted` arrived in 11. */
function importTopK(node: NodeContext): void {
  let k = node.input(1);
  if (node.opset < 10) {
    const value = node.attrs.int('k');
    if (value === undefined) throw new ImportFailure("attribute 'k' is required");
    k = node.int64Constant('k', [value]);
  }
  const largest = node.opset >= 11 ? node.attrs.int('largest', 1) : 1;
  const sorted = node.opset >= 11 ? node.attrs.int('sorted', 1) : 1;
  node.emit({ type: 'TopK', inputs: [node.input(0), k], outputs: [node.output(0), node.output(1)], attributes: { axis: node.attrs.int('axis', -1), largest, sorted } });
}

export const indexingImporters: OpImporter[] = [
  sameFormOp('GatherElements', 11, (node) => ({ axis: node.attrs.int('axis', 0) })),
  sameFormOp('Tile', 6),
  standardOp('DepthToSpace', 1, importDepthToSpace),
  standardOp('SpaceToDepth', 1, importSpaceToDepth),
  standardOp('TopK', 1, importTopK),
];
