import type { NodeContext } from '../graph/node-context.js';
import { toNumbers } from '@kiln/core';
import { standardOp, type OpImporter } from './op-importer.js';

/** Dropout in inference is Identity; its ratio and seed do not matter, its mask cannot be produced. */
function importDropout(node: NodeContext): void {
  node.attrs.touch('ratio');
  node.attrs.touch('seed');
  const trainingMode = node.graph.constantOf(node.input(2));
  if (trainingMode && toNumbers(trainingMode).some((value) => value !== 0)) {
    node.fail("input 'training_mode' is true, which Kiln (inference only) cannot honour");
  } else if (node.input(2) && !trainingMode) {
    node.fail("input 'training_mode' is computed at run time; Kiln (inference only) needs it to be a constant false");
  }
  const mask = node.output(1);
  if (node.graph.isUsed(mask)) node.fail(`output 'mask' ('${mask}') is used; Kiln imports Dropout as Identity, which has none`);
  node.emit({ type: 'Identity', inputs: [node.input(0)], outputs: [node.output(0)] });
}

export const dropoutImporters: OpImporter[] = [standardOp('Dropout', 1, importDropout)];
