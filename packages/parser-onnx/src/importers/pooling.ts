import type { NodeContext } from '../graph/node-context.js';
import { ImportFailure } from '../import-failure.js';
import { sameFormOp, standardOp, type OpImporter } from './op-importer.js';
import { spatialAttributes } from './spatial-attributes.js';

function requiredKernel(node: NodeContext): number[] {
  const kernel = node.attrs.ints('kernel_shape');
  if (!kernel) throw new ImportFailure("attribute 'kernel_shape' is required");
  return kernel;
}

function importMaxPool(node: NodeContext): void {
  const kernel = requiredKernel(node);
  const spatial = spatialAttributes(node, kernel.length);
  const storageOrder = node.attrs.int('storage_order', 0);
  if (storageOrder !== 0) node.fail(`attribute 'storage_order' = ${storageOrder} (column-major Indices) is not supported`);
  const indices = node.output(1);
  node.emit({
    type: 'MaxPool',
    inputs: [node.input(0)],
    // The optional Indices output is kept only when something reads it.
    outputs: [node.output(0), node.graph.isUsed(indices) ? indices : ''],
    attributes: {
      auto_pad: spatial.auto_pad,
      ceil_mode: node.attrs.int('ceil_mode', 0),
      dilations: spatial.dilations,
      kernel_shape: kernel,
      pads: spatial.pads,
      storage_order: storageOrder,
      strides: spatial.strides,
    },
  });
}

function importAveragePool(node: NodeContext): void {
  const kernel = requiredKernel(node);
  const spatial = spatialAttributes(node, kernel.length);
  node.emit({
    type: 'AveragePool',
    inputs: [node.input(0)],
    outputs: [node.output(0)],
    attributes: {
      auto_pad: spatial.auto_pad,
      ceil_mode: node.attrs.int('ceil_mode', 0),
      count_include_pad: node.attrs.int('count_include_pad', 0),
      dilations: spatial.dilations,
      kernel_shape: kernel,
      pads: spatial.pads,
      strides: spatial.strides,
    },
  });
}

export const poolingImporters: OpImporter[] = [
  standardOp('MaxPool', 1, importMaxPool),
  standardOp('AveragePool', 1, importAveragePool),
  sameFormOp('GlobalAveragePool', 1),
  sameFormOp('GlobalMaxPool', 1),
];
