import { createTensor } from '@kiln/core';
import type { NodeContext } from '../graph/node-context.js';
import { ImportFailure } from '../import-failure.js';
import { numberToInt64 } from '../proto/int64.js';
import { Decomposition } from './decomposition.js';
import { standardOp, type OpImporter } from './op-importer.js';

const REDUCTIONS = ['none', 'sum', 'mean'];

function readReduction(node: NodeContext): string {
  const reduction = node.attrs.string('reduction', 'mean')!;
  if (!REDUCTIONS.includes(reduction)) throw new ImportFailure(`attribute 'reduction' = '${reduction}' is not one of ${REDUCTIONS.join(', ')}`);
  return reduction;
}

/**
 * The negative log-likelihood of `logProb` [N, C, d...] at `target` [N, d...], written to `output`:
 * loss = -logProb[n, target, d...] · weight[target], 0 where target = ignore_index; reduced by
 * sum, by mean (sum over the sum of the weights that applied), or not at all.
 */
function negativeLogLikelihood(node: NodeContext, d: Decomposition, logProb: string, target: string, weight: string, output: string): void {
  const reduction = readReduction(node);
  const ignoreIndex = node.attrs.int('ignore_index');
  let index = target;
  let ignored = '';
  if (ignoreIndex !== undefined) {
    const targetType = node.graph.dtypeOf(target);
    if (targetType !== 'int64' && targetType !== 'int32') throw new ImportFailure(`target '${target}' must be int32 or int64 with a known type`);
    const scalar = (suffix: string, value: number) =>
      node.constant(suffix, targetType === 'int64' ? createTensor('int64', [], BigInt64Array.of(numberToInt64(value))) : createTensor('int32', [], Int32Array.of(value)));
    ignored = d.add('ignored', 'Equal', [target, scalar('ignore_index', ignoreIndex)]);
    index = d.add('safe_target', 'Where', [ignored, scalar('zero_index', 0), target]);
  }
  const axis1 = node.int64Constant('class_axis', [1]);
  const picked = d.add('picked', 'GatherElements', [logProb, d.add('target_index', 'Unsqueeze', [index, axis1])], { axis: 1 });
  const negated = d.add('negated', 'Neg', [d.add('picked_squeezed', 'Squeeze', [picked, axis1])]);
  let weights = '';
  if (weight) weights = d.add('target_weight', 'Gather', [weight, index], { axis: 0 });
  if (ignored) {
    const zero = node.floatConstant('zero_weight', [0], [], logProb);
    weights = d.add('applied_weight', 'Where', [ignored, zero, weights || node.floatConstant('one_weight', [1], [], logProb)]);
  }
  const loss = weights ? d.add('weighted', 'Mul', [negated, weights]) : negated;
  const reduceAll = { keepdims: 0, noop_with_empty_axes: 0 };
  if (reduction === 'none') d.alias(output, loss);
  else if (reduction === 'sum') d.finish(output, 'ReduceSum', [loss], reduceAll);
  else if (!weights) d.finish(output, 'ReduceMean', [loss], reduceAll);
  else d.finish(output, 'Div', [d.add('loss_sum', 'ReduceSum', [loss], reduceAll), d.add('weight_sum', 'ReduceSum', [weights], reduceAll)]);
}

function importNegativeLogLikelihoodLoss(node: NodeContext): void {
  negativeLogLikelihood(node, new Decomposition(node), node.input(0), node.input(1), node.input(2), node.output(0));
}

/** SoftmaxCrossEntropyLoss as LogSoftmax over the class axis followed by the negative log-likelihood. */
function importSoftmaxCrossEntropyLoss(node: NodeContext): void {
  const d = new Decomposition(node);
  const logProbOutput = node.output(1);
  const logProb = logProbOutput && node.graph.isUsed(logProbOutput)
    ? d.finish(logProbOutput, 'LogSoftmax', [node.input(0)], { axis: 1 })
    : d.add('log_prob', 'LogSoftmax', [node.input(0)], { axis: 1 });
  negativeLogLikelihood(node, d, logProb, node.input(1), node.input(2), node.output(0));
}

export const lossImporters: OpImporter[] = [
  standardOp('NegativeLogLikelihoodLoss', 12, importNegativeLogLikelihoodLoss),
  standardOp('SoftmaxCrossEntropyLoss', 12, importSoftmaxCrossEntropyLoss),
];
