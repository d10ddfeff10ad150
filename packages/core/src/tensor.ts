export type DType = 'float32' | 'float16' | 'int8' | 'uint8' | 'int32' | 'int64' | 'bool';

export const DTYPES: readonly DType[] = ['float32', 'float16', 'int8', 'uint8', 'int32', 'int64', 'bool'];

export interface TypedArrayOf {
  float32: Float32Array;
  float16: Uint16Array;
  int8: Int8Array;
  uint8: Uint8Array;
  int32: Int32Array;
  int64: BigInt64Array;
  bool: Uint8Array;
}

export type TypedArray = TypedArrayOf[DType];

/** A tensor as plain data, shaped like onnxruntime-node's: `{ dtype, shape, data }`. */
export interface Tensor<D extends DType = DType> {
  dtype: D;
  shape: number[];
  data: TypedArrayOf[D];
}

const ARRAY_CONSTRUCTORS = {
  float32: Float32Array,
  float16: Uint16Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int32: Int32Array,
  int64: BigInt64Array,
  bool: Uint8Array,
} as const;

export function bytesPerElement(dtype: DType): number {
  return ARRAY_CONSTRUCTORS[dtype].BYTES_PER_ELEMENT;
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A zero-filled tensor of this dtype and shape. */
export function createTensor<D extends DType>(dtype: D, shape: number[], data?: TypedArrayOf[D]): Tensor<D> {
  const n = elementCount(shape);
  const array = data ?? (new ARRAY_CONSTRUCTORS[dtype](n) as TypedArrayOf[D]);
  if (array.length !== n) {
    throw new RangeError(`a ${dtype} tensor of shape [${shape.join(', ')}] needs ${n} elements, got ${array.length}`);
  }
  return { dtype, shape: [...shape], data: array };
}

/** The dtype a typed array holds, or undefined when it is not one of ours. */
export function isTypedArrayFor(dtype: DType, data: unknown): boolean {
  return data instanceof ARRAY_CONSTRUCTORS[dtype];
}

/** The values of an integer tensor as plain numbers (int64 too, within 2^53). */
export function toNumbers(tensor: Tensor): number[] {
  return Array.from(tensor.data as ArrayLike<number | bigint>, (v) => Number(v));
}
