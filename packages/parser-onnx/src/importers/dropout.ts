import type { NodeContext } from '../graph/node-context.js';
import { createTensor, toNumbers } from '@kiln/core';
import { standardOp, type OpImporter } from './op-importer.js';

/** Dropout in inference is Identity; its ratio and seed do not matter, and its mask, where used, is all true. */
function importDropout(node: NodeContext): void {
  node.attrs.touch('ratio');
  node.attrs.touch('seed');
  const trainingMode = node.graph.constantOf(node.input(2));
  if (trainingMode && toNumbers(trainingMode).some((value) => value !== 0)) {
    node.fail("input 'training_mode' is true, which Kiln (inference only) cannot honour");
  } else if (node.input(2) && !trainingMode) {
    node.fail("input 'training_mode' is computed at run time; Kiln (inference only) needs it to be a constant false");
  }
  node.emit({ type: 'Identity', inputs: [node.input(0)], outputs: [node.output(0)] });
  const mask = node.output(1);
  if (!node.graph.isUsed(mask)) return;
  const shape = node.tensorName('shape');
  node.emit({ name: node.layerName('shape'), type: 'Shape', inputs: [node.input(0)], outputs: [shape], attributes: { start: 0 } });
  node.emit({ name: node.layerName('mask'), type: 'ConstantOfShape', inputs: [shape], outputs: [mask], attributes: { value: createTensor('bool', [1], Uint8Array.of(1)) } });
}

export const dropoutImporters: OpImporter[] = [standardOp('Dropout', 1, importDropout)];
