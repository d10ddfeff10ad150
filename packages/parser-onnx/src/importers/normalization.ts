import type { NodeContext } from '../graph/node-context.js';
import { ImportFailure } from '../import-failure.js';
import { sameFormOp, standardOp, type OpImporter } from './op-importer.js';

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

/** LayerNormalization, with its Mean and InvStdDev outputs where the graph uses them. */
function importLayerNormalization(node: NodeContext): void {
  const extra = node.node.outputs.slice(1, 3).map((name) => (name && node.graph.isUsed(name) ? name : ''));
  const stashType = node.attrs.int('stash_type', 1);
  if (stashType !== 1) node.fail(`attribute 'stash_type' = ${stashType} is not supported (Kiln computes in float32)`);
  node.emit({
    type: 'LayerNormalization',
    inputs: node.node.inputs.slice(0, 3),
    outputs: extra.some(Boolean) ? [node.output(0), ...extra] : [node.output(0)],
    attributes: { axis: node.attrs.int('axis', -1), epsilon: node.attrs.float('epsilon', 1e-5), stash_type: stashType },
  });
}

/**
 * GroupNormalization in its opset 21 form, scale and bias per channel. Opsets 18–20 gave them per
 * group; constant ones are repeated to every channel of their group.
 */
function importGroupNormalization(node: NodeContext): void {
  const groups = node.attrs.int('num_groups');
  if (groups === undefined) throw new ImportFailure("attribute 'num_groups' is required");
  const stashType = node.opset >= 21 ? node.attrs.int('stash_type', 1) : 1;
  if (stashType !== 1) node.fail(`attribute 'stash_type' = ${stashType} is not supported (Kiln computes in float32)`);
  let [x, scale, bias] = [node.input(0), node.input(1), node.input(2)];
  if (node.opset < 21) {
    const channels = node.graph.shapeOf(x)?.[1];
    const perGroup = [scale, bias].map((name) => node.graph.constantOf(name));
    if (typeof channels !== 'number' || perGroup.some((t) => !t || t.dtype !== 'float32')) {
      throw new ImportFailure('per-group scale and bias (opset < 21) must be float32 constants and the channel count static');
    }
    const repeat = (values: Float32Array) => Array.from({ length: channels }, (_, c) => values[Math.floor(c / (channels / groups))]);
    scale = node.floatConstant('scale', repeat(perGroup[0]!.data as Float32Array), [channels], x);
    bias = node.floatConstant('bias', repeat(perGroup[1]!.data as Float32Array), [channels], x);
  }
  node.emit({
    type: 'GroupNormalization',
    inputs: [x, scale, bias],
    outputs: [node.output(0)],
    attributes: { num_groups: groups, epsilon: node.attrs.float('epsilon', 1e-5), stash_type: stashType },
  });
}

export const normalizationImporters: OpImporter[] = [
  standardOp('BatchNormalization', 1, importBatchNormalization),
  sameFormOp('InstanceNormalization', 1, (node) => ({ epsilon: node.attrs.float('epsilon', 1e-5) })),
  standardOp('LayerNormalization', 17, importLayerNormalization),
  standardOp('GroupNormalization', 18, importGroupNormalization),
];
