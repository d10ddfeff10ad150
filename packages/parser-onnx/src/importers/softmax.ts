import type { NodeContext } from '../graph/node-context.js';
import { standardOp, type OpImporter } from './op-importer.js';

/**
 * Softmax and LogSoftmax. Before opset 13 it flattened the input to 2-D at `axis` (default 1) and normalized
 * each row; from 13 it normalizes along `axis` (default -1). The two agree when the axis is the
 * last one; otherwise the old form becomes Shape + Flatten + Softmax(-1) + Reshape, which is exact.
 */
const importSoftmax = (type: 'Softmax' | 'LogSoftmax') => (node: NodeContext): void => {
  const input = node.input(0);
  const output = node.output(0);
  if (node.opset >= 13) {
    node.emit({ type, inputs: [input], outputs: [output], attributes: { axis: node.attrs.int('axis', -1) } });
    return;
  }
  const axis = node.attrs.int('axis', 1);
  const rank = node.graph.shapeOf(input)?.length;
  if (axis === -1 || (rank !== undefined && axis === rank - 1)) {
    node.emit({ type, inputs: [input], outputs: [output], attributes: { axis: -1 } });
    return;
  }
  const shape = node.tensorName('shape');
  const flat = node.tensorName('flat');
  const normalized = node.tensorName('softmax');
  node.emit({ name: node.layerName('shape'), type: 'Shape', inputs: [input], outputs: [shape], attributes: { start: 0 } });
  node.emit({ name: node.layerName('flatten'), type: 'Flatten', inputs: [input], outputs: [flat], attributes: { axis } });
  node.emit({ type, inputs: [flat], outputs: [normalized], attributes: { axis: -1 } });
  node.emit({ name: node.layerName('reshape'), type: 'Reshape', inputs: [normalized, shape], outputs: [output], attributes: { allowzero: 0 } });
};

export const softmaxImporters: OpImporter[] = [standardOp('Softmax', 1, importSoftmax('Softmax')), standardOp('LogSoftmax', 1, importSoftmax('LogSoftmax'))];
