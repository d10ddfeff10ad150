import type { NodeContext } from '../graph/node-context.js';
import { standardOp, type OpImporter } from './op-importer.js';

/**
 * BatchNormalization in inference form: Y only. The running and saved statistics outputs exist
 * for training (opset < 14 had up to five outputs); they are dropped when nothing reads them.
 */
function importBatchNormalization(node: NodeContext): void {
  const epsilon = node.attrs.float('epsilon', 1e-5);
  const momentum = node.attrs.float('momentum', 0.9);
  if (node.opset < 9) {
    const spatial = node.attrs.int('spatial', 1);
    if (spatial !== 1) node.fail(`attribute 'spatial' = ${spatial} (per-activation statistics) is not supported`);
  }
  if (node.opset >= 14) {
    const trainingMode = node.attrs.int('training_mode', 0);
    if (trainingMode !== 0) node.fail(`attribute 'training_mode' = ${trainingMode} is not supported (Kiln runs inference)`);
  }
  const usedTrainingOutputs = node.node.outputs.slice(1).filter((name) => node.graph.isUsed(name));
  if (usedTrainingOutputs.length > 0) {
    node.fail(`training outputs ${usedTrainingOutputs.map((n) => `'${n}'`).join(', ')} are used, which inference cannot produce`);
  }
  node.emit({
    type: 'BatchNormalization',
    inputs: node.node.inputs.slice(0, 5),
    outputs: [node.output(0)],
    attributes: { epsilon, momentum, training_mode: 0 },
  });
}

export const normalizationImporters: OpImporter[] = [standardOp('BatchNormalization', 1, importBatchNormalization)];
