import type { NodeContext } from '../graph/node-context.js';
import { kilnDType, onnxDataTypeName } from '../tensor/onnx-dtypes.js';
import { standardOp, type OpImporter } from './op-importer.js';

const INTEGER_TYPES = new Set(['uint8', 'int8']);

function refuseBlocks(node: NodeContext): void {
  if (node.attrs.int('block_size', 0) !== 0) node.fail('blocked quantization (block_size) is not supported');
}

/**
 * QuantizeLinear: y = saturate(round(x / scale) + zero_point) to uint8 (the default) or int8,
 * per tensor or per axis. The output type comes from the zero point, or from `output_dtype`.
 */
function importQuantizeLinear(node: NodeContext): void {
  refuseBlocks(node);
  const zeroPoint = node.node.inputs[2] ?? '';
  const outputDtype = node.attrs.int('output_dtype', 0);
  const dtype = zeroPoint ? node.graph.dtypeOf(zeroPoint) : outputDtype ? kilnDType(outputDtype) : 'uint8';
  if (!dtype || !INTEGER_TYPES.has(dtype)) {
    node.fail(`quantizing to ${dtype ?? (outputDtype ? onnxDataTypeName(outputDtype) : 'this type')} is not supported (uint8 and int8 are)`);
  }
  if (node.attrs.int('saturate', 1) !== 1) node.fail("saturate = 0 only applies to float8 outputs, which Kiln does not support");
  const shape = node.graph.shapeOf(node.input(0));
  if (shape) node.graph.declareShape(node.output(0), shape);
  node.emit({
    type: 'QuantizeLinear',
    inputs: [node.input(0), node.input(1), zeroPoint],
    outputs: [node.output(0)],
    attributes: { axis: node.attrs.int('axis', 1), dtype: dtype ?? 'uint8' },
  });
}

/** DequantizeLinear: y = (x - zero_point) * scale, per tensor or per axis, from uint8, int8 or int32. */
function importDequantizeLinear(node: NodeContext): void {
  refuseBlocks(node);
  const x = node.input(0);
  const dtype = node.graph.dtypeOf(x);
  if (dtype && !INTEGER_TYPES.has(dtype) && dtype !== 'int32') node.fail(`dequantizing ${dtype} is not supported (uint8, int8 and int32 are)`);
  const shape = node.graph.shapeOf(x);
  if (shape) node.graph.declareShape(node.output(0), shape);
  node.emit({
    type: 'DequantizeLinear',
    inputs: [x, node.input(1), node.node.inputs[2] ?? ''],
    outputs: [node.output(0)],
    attributes: { axis: node.attrs.int('axis', 1) },
  });
}

export const linearQuantizationImporters: OpImporter[] = [
  standardOp('QuantizeLinear', 10, importQuantizeLinear),
  standardOp('DequantizeLinear', 10, importDequantizeLinear),
];
