import type { DType } from '@kiln/core';

/** TensorProto.DataType values. */
export const OnnxDataType = {
  UNDEFINED: 0, FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8,
  BOOL: 9, FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13, COMPLEX64: 14, COMPLEX128: 15,
  BFLOAT16: 16, FLOAT8E4M3FN: 17, FLOAT8E4M3FNUZ: 18, FLOAT8E5M2: 19, FLOAT8E5M2FNUZ: 20,
  UINT4: 21, INT4: 22, FLOAT4E2M1: 23,
} as const;

const KILN_DTYPES: Partial<Record<number, DType>> = {
  [OnnxDataType.FLOAT]: 'float32',
  [OnnxDataType.FLOAT16]: 'float16',
  [OnnxDataType.INT8]: 'int8',
  [OnnxDataType.UINT8]: 'uint8',
  [OnnxDataType.INT32]: 'int32',
  [OnnxDataType.INT64]: 'int64',
  [OnnxDataType.BOOL]: 'bool',
};

/** The Kiln dtype of an ONNX data type, or undefined where Kiln has none (double included). */
export function kilnDType(dataType: number): DType | undefined {
  return KILN_DTYPES[dataType];
}

/** The ONNX name of a data type (e.g. 'BFLOAT16'), for messages. */
export function onnxDataTypeName(dataType: number): string {
  const entry = Object.entries(OnnxDataType).find(([, value]) => value === dataType);
  return entry ? entry[0] : `data type ${dataType}`;
}
