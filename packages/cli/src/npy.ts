import { readFile, writeFile } from 'node:fs/promises';
import { elementCount, type DType } from '@kiln/core';
import { CliError } from './errors.js';

/**
 * NumPy's .npy format (numpy/lib/format.py, "NPY format"): the magic "\x93NUMPY", a version
 * byte pair, a little-endian header length (u16 in version 1, u32 in versions 2 and 3), then an
 * ASCII Python dict literal `{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3), }`
 * padded with spaces and a final '\n' so the data starts on a 64-byte boundary.
 */

/** Kiln's dtypes (float16 as Uint16Array bits, bool as Uint8Array), plus float64. */
export type NpyDType = DType | 'float64';

export interface NpyArray {
  dtype: NpyDType;
  shape: number[];
  data: Float32Array | Float64Array | Uint16Array | Int8Array | Uint8Array | Int32Array | BigInt64Array;
}

type ArrayType = { new (buffer: ArrayBuffer): NpyArray['data']; BYTES_PER_ELEMENT: number };

const FORMATS: Record<NpyDType, { descr: string; array: ArrayType }> = {
  float32: { descr: '<f4', array: Float32Array },
  float64: { descr: '<f8', array: Float64Array },
  float16: { descr: '<f2', array: Uint16Array },
  int8: { descr: '|i1', array: Int8Array },
  uint8: { descr: '|u1', array: Uint8Array },
  int32: { descr: '<i4', array: Int32Array },
  int64: { descr: '<i8', array: BigInt64Array },
  bool: { descr: '|b1', array: Uint8Array },
};

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ALIGN = 64;

function dtypeOfDescr(descr: string): NpyDType | undefined {
  // One-byte types carry no byte order, but some writers put '<' or '=' there anyway.
  const normalized = /^[<=|]([iub]1)$/.exec(descr)?.[1];
  const wanted = normalized ? `|${normalized}` : descr.replace(/^=/, '<');
  return (Object.keys(FORMATS) as NpyDType[]).find((d) => FORMATS[d].descr === wanted);
}

export function encodeNpy({ dtype, shape, data }: NpyArray): Uint8Array {
  const { descr, array } = FORMATS[dtype];
  if (!(data instanceof array)) throw new TypeError(`${dtype} data must be a ${array.name}`);
  const count = elementCount(shape);
  if (count !== data.length) throw new RangeError(`shape [${shape.join(', ')}] needs ${count} values, got ${data.length}`);
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${tuple}, }`;
  const prefix = MAGIC.length + 2 + 2;
  const padded = Math.ceil((prefix + dict.length + 1) / ALIGN) * ALIGN;
  const header = dict.padEnd(padded - prefix - 1, ' ') + '\n';
  const bytes = new Uint8Array(padded + data.byteLength);
  bytes.set(MAGIC, 0);
  bytes[6] = 1;
  bytes[7] = 0;
  new DataView(bytes.buffer).setUint16(8, header.length, true);
  bytes.set(Buffer.from(header, 'latin1'), prefix);
  bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), padded);
  return bytes;
}

export function decodeNpy(bytes: Uint8Array, what = 'the array'): NpyArray {
  const bad = (reason: string) => new CliError(`${what} is not a readable .npy file: ${reason}`);
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw bad('it does not start with \\x93NUMPY');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  if (major < 1 || major > 3) throw bad(`format version ${major}.${bytes[7]} is unknown`);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) throw bad('the header is cut short');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataOffset = 8 + lengthBytes + headerLength;
  if (dataOffset > bytes.length) throw bad('the header is cut short');
  const header = Buffer.from(bytes.subarray(8 + lengthBytes, dataOffset)).toString(major === 3 ? 'utf8' : 'latin1');

  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw bad('the header lacks descr, fortran_order or shape');
  if (fortran === 'True') throw bad('Fortran-ordered arrays are not supported; save it with np.ascontiguousarray');
  const dtype = dtypeOfDescr(descr);
  if (!dtype) throw bad(`dtype '${descr}' is not supported (little-endian float16/32/64, int8/32/64, uint8 and bool are)`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw bad(`the shape (${shapeText}) is not a list of sizes`);

  const { array } = FORMATS[dtype];
  const byteLength = elementCount(shape) * array.BYTES_PER_ELEMENT;
  if (bytes.length - dataOffset < byteLength) throw bad(`shape (${shape.join(', ')}) needs ${byteLength} bytes of data, the file has ${bytes.length - dataOffset}`);
  // Copied into a fresh ArrayBuffer, so the typed array is aligned whatever the header length
  // (and a Buffer's slice() would be a view of its whole pool).
  const data = new array(new Uint8Array(bytes.subarray(dataOffset, dataOffset + byteLength)).buffer);
  return { dtype, shape, data };
}

export async function readNpy(path: string): Promise<NpyArray> {
  return decodeNpy(await readFile(path), path);
}

export async function writeNpy(path: string, array: NpyArray): Promise<void> {
  await writeFile(path, encodeNpy(array));
}
