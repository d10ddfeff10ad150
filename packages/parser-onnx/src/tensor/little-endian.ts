import type { TypedArray } from '@kiln/core';
import { ImportFailure } from '../import-failure.js';
import { OnnxDataType, onnxDataTypeName } from './onnx-dtypes.js';

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

type Reader = (view: DataView, offset: number) => number | bigint;

interface Layout {
  size: number;
  make: (count: number) => TypedArray;
  read: Reader;
}

const LAYOUTS: Partial<Record<number, Layout>> = {
  [OnnxDataType.FLOAT]: { size: 4, make: (n) => new Float32Array(n), read: (v, o) => v.getFloat32(o, true) },
  [OnnxDataType.FLOAT16]: { size: 2, make: (n) => new Uint16Array(n), read: (v, o) => v.getUint16(o, true) },
  [OnnxDataType.INT8]: { size: 1, make: (n) => new Int8Array(n), read: (v, o) => v.getInt8(o) },
  [OnnxDataType.UINT8]: { size: 1, make: (n) => new Uint8Array(n), read: (v, o) => v.getUint8(o) },
  [OnnxDataType.BOOL]: { size: 1, make: (n) => new Uint8Array(n), read: (v, o) => (v.getUint8(o) === 0 ? 0 : 1) },
  [OnnxDataType.INT32]: { size: 4, make: (n) => new Int32Array(n), read: (v, o) => v.getInt32(o, true) },
  [OnnxDataType.INT64]: { size: 8, make: (n) => new BigInt64Array(n), read: (v, o) => v.getBigInt64(o, true) },
  // Kiln has no float64: doubles become float32.
  [OnnxDataType.DOUBLE]: { size: 8, make: (n) => new Float32Array(n), read: (v, o) => v.getFloat64(o, true) },
};

/**
 * Decodes `count` little-endian elements (as ONNX stores raw_data and external data) into a new
 * typed array. The bytes may sit at any offset of any buffer; the result never shares memory.
 */
export function decodeLittleEndian(dataType: number, bytes: Uint8Array, count: number): TypedArray {
  const layout = LAYOUTS[dataType];
  if (!layout) throw new ImportFailure(`raw data of type ${onnxDataTypeName(dataType)} cannot be read`);
  if (bytes.byteLength !== count * layout.size) {
    throw new ImportFailure(
      `holds ${bytes.byteLength} bytes of raw data, but its shape needs ${count} × ${layout.size} = ${count * layout.size}`,
    );
  }
  const sameLayout = dataType !== OnnxDataType.DOUBLE && dataType !== OnnxDataType.BOOL;
  if (HOST_IS_LITTLE_ENDIAN && sameLayout) {
    const out = layout.make(count);
    new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(bytes);
    return out;
  }
  const out = layout.make(count) as { [index: number]: number | bigint } & TypedArray;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < count; i++) out[i] = layout.read(view, i * layout.size);
  return out;
}
