import { roundHalfEven } from './round.js';

const MIN_NORMAL = 2 ** -14;
// Halfway between 65504 (the largest float16) and 65536; from here up, rounding gives infinity.
const OVERFLOW = 65520;

/**
 * The IEEE-754 binary16 bits of `value`, rounded to nearest, ties to even. Rounds straight from
 * the double, so there is no double rounding through float32.
 */
export function toFloat16Bits(value: number): number {
  if (Number.isNaN(value)) return 0x7e00;
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const a = Math.abs(value);
  if (a >= OVERFLOW) return sign | 0x7c00;
  if (a < MIN_NORMAL) return sign | roundHalfEven(a * 2 ** 24);
  let exponent = Math.floor(Math.log2(a));
  if (2 ** exponent > a) exponent--;
  else if (2 ** (exponent + 1) <= a) exponent++;
  const mantissa = roundHalfEven((a / 2 ** exponent - 1) * 1024);
  // A mantissa that rounds up to 1024 carries into the exponent, which is what the sum does.
  return sign | (((exponent + 15) << 10) + mantissa);
}

/** The number that the binary16 bits `bits` encode. */
export function fromFloat16Bits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** A float16 tensor's bits widened to float32. */
export function float16ArrayToFloat32(bits: Uint16Array): Float32Array {
  const table = float16Table();
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]];
  return out;
}

let table: Float32Array | undefined;
function float16Table(): Float32Array {
  if (!table) {
    table = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits++) table[bits] = fromFloat16Bits(bits);
  }
  return table;
}
