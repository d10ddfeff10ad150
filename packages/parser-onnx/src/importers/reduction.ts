import type { NodeContext } from '../graph/node-context.js';
import { standardOp, type OpImporter } from './op-importer.js';

/**
 * A Reduce* op. Before `axesInputSince` (18 for most, 13 for ReduceSum) `axes` is an attribute; it
 * becomes a constant second input. noop_with_empty_axes arrived with the input and defaults to 0,
 * which keeps the old meaning of no axes: reduce over all of them.
 */
function reduceOp(opType: string, axesInputSince: number) {
  return (node: NodeContext): void => {
    let axes = node.input(1);
    let noopWithEmptyAxes = 0;
    if (node.opset < axesInputSince) {
      const values = node.attrs.ints('axes');
      axes = values ? node.int64Constant('axes', values) : '';
    } else {
      noopWithEmptyAxes = node.attrs.int('noop_with_empty_axes', 0);
    }
    node.emit({
      type: opType,
      inputs: [node.input(0), axes],
      outputs: [node.output(0)],
      attributes: { keepdims: node.attrs.int('keepdims', 1), noop_with_empty_axes: noopWithEmptyAxes },
    });
  };
}

const reduce = (opType: string, axesInputSince = 18) => standardOp(opType, 1, reduceOp(opType, axesInputSince));

/** ArgMax / ArgMin: `select_last_index` (opset 12) defaults to the first extreme element. */
function argReduce(node: NodeContext): void {
  node.emit({
    type: node.opType,
    inputs: [node.input(0)],
    outputs: [node.output(0)],
    attributes: { axis: node.attrs.int('axis', 0), keepdims: node.attrs.int('keepdims', 1), select_last_index: node.opset >= 12 ? node.attrs.int('select_last_index', 0) : 0 },
  });
}

export const reductionImporters: OpImporter[] = [
  reduce('ReduceMean'),
  reduce('ReduceSum', 13),
  reduce('ReduceMax'),
  reduce('ReduceMin'),
  reduce('ReduceProd'),
  reduce('ReduceL1'),
  reduce('ReduceL2'),
  reduce('ReduceLogSum'),
  reduce('ReduceLogSumExp'),
  reduce('ReduceSumSquare'),
  standardOp('ArgMax', 1, argReduce),
  standardOp('ArgMin', 1, argReduce),
];
