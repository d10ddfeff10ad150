import { createTensor, type DType, type Logger, type Tensor, type TypedArray } from '@kiln/core';
import { ImportFailure } from '../import-failure.js';
import { int64ToBigInt, int64ToNumber } from '../proto/int64.js';
import { DataLocation, hasField, type TensorProto } from '../proto/onnx-proto.js';
import { readExternalData } from './external-data.js';
import { decodeLittleEndian } from './little-endian.js';
import { OnnxDataType, kilnDType, onnxDataTypeName } from './onnx-dtypes.js';

export interface TensorSource {
  /** The model file's path, for external data. */
  modelPath?: string;
  logger: Logger;
}

/**
 * A TensorProto's value as a Kiln tensor, from raw_data, external data or the typed fields
 * (float_data, int32_data, int64_data, double_data). `label` names it in messages, e.g.
 * "initializer 'conv.weight'". Throws ImportFailure.
 */
export function decodeTensor(proto: TensorProto, label: string, source: TensorSource): Tensor {
  try {
    return decode(proto, label, source);
  } catch (error) {
    if (error instanceof ImportFailure) throw new ImportFailure(`${label} ${error.message}`);
    throw error;
  }
}

function decode(proto: TensorProto, label: string, source: TensorSource): Tensor {
  if (proto.segment) throw new ImportFailure('is stored in segments, which Kiln does not read');
  const dataType = proto.data_type;
  const dtype = targetDType(dataType);
  if (dataType === OnnxDataType.DOUBLE) source.logger.warning(`${label} is float64; Kiln converts it to float32`);
  const shape = proto.dims.map((dim) => {
    const size = int64ToNumber(dim);
    if (!Number.isSafeInteger(size) || size < 0) throw new ImportFailure(`has an invalid dimension ${size}`);
    return size;
  });
  const count = shape.reduce((a, b) => a * b, 1);
  const data = readValues(proto, dataType, count, source);
  if (data.length !== count) {
    throw new ImportFailure(`has shape [${shape.join(', ')}] (${count} elements) but holds ${data.length} values`);
  }
  return createTensor(dtype, shape, data as never);
}

function targetDType(dataType: number): DType {
  if (dataType === OnnxDataType.DOUBLE) return 'float32';
  const dtype = kilnDType(dataType);
  if (!dtype) throw new ImportFailure(`has data type ${onnxDataTypeName(dataType)}, which Kiln has no dtype for`);
  return dtype;
}

function readValues(proto: TensorProto, dataType: number, count: number, source: TensorSource): TypedArray {
  if (proto.data_location === DataLocation.EXTERNAL) {
    return decodeLittleEndian(dataType, readExternalData(proto.external_data, source.modelPath), count);
  }
  if (hasField(proto, 'raw_data')) return decodeLittleEndian(dataType, proto.raw_data, count);
  return fromTypedField(proto, dataType);
}

function fromTypedField(proto: TensorProto, dataType: number): TypedArray {
  switch (dataType) {
    case OnnxDataType.FLOAT:
      return Float32Array.from(proto.float_data);
    case OnnxDataType.DOUBLE:
      return Float32Array.from(proto.double_data);
    case OnnxDataType.INT64:
      return BigInt64Array.from(proto.int64_data, int64ToBigInt);
    case OnnxDataType.INT32:
      return Int32Array.from(proto.int32_data);
    case OnnxDataType.INT8:
      return Int8Array.from(proto.int32_data);
    case OnnxDataType.UINT8:
      return Uint8Array.from(proto.int32_data);
    case OnnxDataType.BOOL:
      return Uint8Array.from(proto.int32_data, (v) => (v === 0 ? 0 : 1));
    case OnnxDataType.FLOAT16:
      // int32_data holds each half's 16 bits.
      return Uint16Array.from(proto.int32_data, (v) => v & 0xffff);
    default:
      throw new ImportFailure(`has data type ${onnxDataTypeName(dataType)}, which Kiln has no dtype for`);
  }
}
