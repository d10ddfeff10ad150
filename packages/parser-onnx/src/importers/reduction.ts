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

export const reductionImporters: OpImporter[] = [standardOp('ReduceMean', 1, reduceOp('ReduceMean', 18))];
