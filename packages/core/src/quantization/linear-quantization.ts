import { normalizeAxis } from '../optimizer/analysis/shape-utils.js';

/** The integer range of each quantized type. */
export const QUANTIZED_RANGES: Record<string, [number, number]> = { uint8: [0, 255], int8: [-128, 127] };

/** Round half to even (ONNX QuantizeLinear's rounding). */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Per element: the index of its scale and zero point (one for the tensor, or one per `axis` entry). */
function paramIndex(shape: number[], axis: number, params: number): (i: number) => number {
  if (params === 1) return () => 0;
  const a = normalizeAxis(axis, shape.length);
  if (a === undefined || shape[a] !== params) throw new RangeError(`per-axis parameters (${params}) do not match axis ${axis} of [${shape.join(', ')}]`);
  const inner = shape.slice(a + 1).reduce((p, d) => p * d, 1);
  return (i) => Math.floor(i / inner) % params;
}

/** ONNX QuantizeLinear over plain numbers: saturate(round(x / scale) + zeroPoint). */
export function quantizeLinear(x: number[], shape: number[], scale: number[], zeroPoint: number[], axis: number, dtype: string): number[] {
  const [lo, hi] = QUANTIZED_RANGES[dtype]!;
  const at = paramIndex(shape, axis, scale.length);
  return x.map((v, i) => {
    const p = at(i);
    return Math.min(hi, Math.max(lo, roundHalfEven(v / scale[p]!) + (zeroPoint[p] ?? 0)));
  });
}

/** ONNX DequantizeLinear over plain numbers: (x − zeroPoint) · scale, as float32. */
export function dequantizeLinear(x: number[], shape: number[], scale: number[], zeroPoint: number[], axis: number): number[] {
  const at = paramIndex(shape, axis, scale.length);
  return x.map((v, i) => {
    const p = at(i);
    return Math.fround((v - (zeroPoint[p] ?? 0)) * scale[p]!);
  });
}
