import type { NodeContext } from '../graph/node-context.js';
import { ImportFailure } from '../import-failure.js';
import { standardOp, type OpImporter } from './op-importer.js';
import { checkLength, spatialAttributes } from './spatial-attributes.js';

/** kernel_shape, or the weight's spatial dims (W is [M, C/group, k1, k2, ...] or, transposed, [C, M/group, k...]). */
function kernelShape(node: NodeContext): number[] {
  const given = node.attrs.ints('kernel_shape');
  if (given) return given;
  const weight = node.input(1);
  const shape = node.graph.shapeOf(weight);
  if (!shape || shape.length < 3 || shape.slice(2).some((dim) => typeof dim !== 'number')) {
    throw new ImportFailure(`attribute 'kernel_shape' is absent and the shape of weight '${weight}' is unknown`);
  }
  return shape.slice(2) as number[];
}

function importConv(node: NodeContext): void {
  const kernel = kernelShape(node);
  const spatial = spatialAttributes(node, kernel.length);
  node.emit({
    type: 'Conv',
    inputs: [node.input(0), node.input(1), node.input(2)],
    outputs: [node.output(0)],
    attributes: {
      auto_pad: spatial.auto_pad,
      dilations: spatial.dilations,
      group: node.attrs.int('group', 1),
      kernel_shape: kernel,
      pads: spatial.pads,
      strides: spatial.strides,
    },
  });
}

function importConvTranspose(node: NodeContext): void {
  const kernel = kernelShape(node);
  const spatial = spatialAttributes(node, kernel.length);
  const outputPadding = node.attrs.ints('output_padding', new Array<number>(kernel.length).fill(0));
  checkLength(node, 'output_padding', outputPadding, kernel.length);
  const outputShape = node.attrs.ints('output_shape');
  node.emit({
    type: 'ConvTranspose',
    inputs: [node.input(0), node.input(1), node.input(2)],
    outputs: [node.output(0)],
    attributes: {
      auto_pad: spatial.auto_pad,
      dilations: spatial.dilations,
      group: node.attrs.int('group', 1),
      kernel_shape: kernel,
      output_padding: outputPadding,
      ...(outputShape ? { output_shape: outputShape } : {}),
      pads: spatial.pads,
      strides: spatial.strides,
    },
  });
}

export const convolutionImporters: OpImporter[] = [
  standardOp('Conv', 1, importConv),
  standardOp('ConvTranspose', 1, importConvTranspose),
];
