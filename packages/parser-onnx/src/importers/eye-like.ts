import { createTensor } from '@kiln/core';
import type { NodeContext } from '../graph/node-context.js';
import { ImportFailure } from '../import-failure.js';
import { kilnDType, onnxDataTypeName } from '../tensor/onnx-dtypes.js';
import { standardOp, type OpImporter } from './op-importer.js';

/** EyeLike of an input with a static 2-D shape is a constant: ones on diagonal k, zeros elsewhere. */
function importEyeLike(node: NodeContext): void {
  const input = node.input(0);
  const shape = node.graph.shapeOf(input);
  if (!shape || shape.length !== 2 || shape.some((dim) => typeof dim !== 'number')) throw new ImportFailure(`input '${input}' must have a static 2-D shape`);
  const typeCode = node.attrs.int('dtype');
  const dtype = typeCode === undefined ? node.graph.dtypeOf(input) : kilnDType(typeCode);
  if (!dtype) throw new ImportFailure(typeCode === undefined ? `the type of input '${input}' must be known` : `attribute 'dtype' = ${onnxDataTypeName(typeCode)} has no Kiln dtype`);
  const [rows, cols] = shape as number[];
  const k = node.attrs.int('k', 0);
  const eye = createTensor(dtype, [rows, cols]);
  const one = dtype === 'int64' ? 1n : dtype === 'float16' ? 0x3c00 : 1;
  for (let i = 0; i < rows; i++) if (i + k >= 0 && i + k < cols) (eye.data as unknown as (number | bigint)[])[i * cols + i + k] = one;
  node.graph.network.addConstant(node.output(0), eye);
}

export const eyeLikeImporters: OpImporter[] = [standardOp('EyeLike', 9, importEyeLike)];
