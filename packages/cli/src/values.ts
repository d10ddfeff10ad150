import { fromFloat16Bits } from '@kiln/preprocess';
import type { NpyArray } from './npy.js';

/** A tensor's values as plain numbers: float16 bits decoded, int64 narrowed (exact up to 2^53). */
export function numericValues({ dtype, data }: Pick<NpyArray, 'dtype' | 'data'>): ArrayLike<number> {
  if (dtype === 'float16') return Float32Array.from(data as Uint16Array, fromFloat16Bits);
  if (data instanceof BigInt64Array) return Float64Array.from(data, Number);
  return data as ArrayLike<number>;
}

export function toFloat32(array: Pick<NpyArray, 'dtype' | 'data'>): Float32Array {
  return array.data instanceof Float32Array ? array.data : Float32Array.from(numericValues(array));
}
