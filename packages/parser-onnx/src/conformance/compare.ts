import type { Tensor } from '@kiln/core';

/** The suite's own tolerances (numpy.testing.assert_allclose as the ONNX backend runner calls it). */
export const DEFAULT_TOLERANCE = { rtol: 1e-3, atol: 1e-7 };

export interface Tolerance {
  rtol: number;
  atol: number;
}

function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

function elements(tensor: Tensor): ArrayLike<number | bigint> {
  return tensor.dtype === 'float16' ? Array.from(tensor.data as Uint16Array, halfToNumber) : (tensor.data as ArrayLike<number | bigint>);
}

const isFloat = (t: Tensor) => t.dtype === 'float32' || t.dtype === 'float16';

/** Why `actual` differs from `expected` beyond the tolerance, or undefined when it matches. */
export function compareTensors(actual: Tensor, expected: Tensor, tolerance: Tolerance = DEFAULT_TOLERANCE): string | undefined {
  if (actual.dtype !== expected.dtype) return `dtype ${actual.dtype}, expected ${expected.dtype}`;
  const shapeOf = (t: Tensor) => `[${t.shape.join(', ')}]`;
  if (shapeOf(actual) !== shapeOf(expected)) return `shape ${shapeOf(actual)}, expected ${shapeOf(expected)}`;
  const a = elements(actual);
  const e = elements(expected);
  if (a.length !== e.length) return `${a.length} elements, expected ${e.length}`;
  let mismatches = 0;
  let first = -1;
  for (let i = 0; i < e.length; i++) {
    const x = a[i];
    const y = e[i];
    let ok: boolean;
    if (!isFloat(expected)) ok = x === y;
    else {
      const xn = Number(x), yn = Number(y);
      ok = (Number.isNaN(xn) && Number.isNaN(yn)) || xn === yn || Math.abs(xn - yn) <= tolerance.atol + tolerance.rtol * Math.abs(yn);
    }
    if (!ok) {
      mismatches++;
      if (first < 0) first = i;
    }
  }
  if (!mismatches) return undefined;
  return `${mismatches} of ${e.length} elements differ; first at ${first}: ${String(a[first])}, expected ${String(e[first])}`;
}

/**
 * Ops whose float32 results may differ from the suite's float64 reference by more than its
 * default tolerance (none yet: each entry must say why float math needs it).
 */
const LOOSER: Record<string, Tolerance> = {};

export function toleranceFor(op: string): Tolerance {
  return LOOSER[op] ?? DEFAULT_TOLERANCE;
}
