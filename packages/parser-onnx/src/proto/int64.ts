import type { Int64 } from './onnx-proto.js';

/** An int64 field's exact value. */
export function int64ToBigInt(value: Int64): bigint {
  if (typeof value === 'number') return BigInt(value);
  const bits = (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0);
  return value.unsigned ? BigInt.asUintN(64, bits) : BigInt.asIntN(64, bits);
}

/** An int64 field as a number: exact up to 2^53, the nearest double beyond (INT64_MAX becomes 2^63). */
export function int64ToNumber(value: Int64): number {
  if (typeof value === 'number') return value;
  return Number(int64ToBigInt(value));
}

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/**
 * A number as an int64, saturating: ONNX models spell "to the end" as INT64_MAX, which a double
 * rounds up to 2^63, one past the largest int64.
 */
export function numberToInt64(value: number): bigint {
  if (!Number.isFinite(value)) return value > 0 ? INT64_MAX : INT64_MIN;
  const big = BigInt(Math.trunc(value));
  if (big > INT64_MAX) return INT64_MAX;
  if (big < INT64_MIN) return INT64_MIN;
  return big;
}
