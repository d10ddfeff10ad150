import { describe, expect, it } from 'vitest';
import { fromFloat16Bits, toFloat16Bits } from '../src/index.js';

describe('float16', () => {
  it.each([
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [0.5, 0x3800],
    [0.1, 0x2e66],
    [1 / 3, 0x3555],
    [65504, 0x7bff],
    [65519.99, 0x7bff],
    [65520, 0x7c00],
    [-1e9, 0xfc00],
    [Infinity, 0x7c00],
    [2 ** -14, 0x0400],
    [2 ** -24, 0x0001],
    [2 ** -25, 0x0000], // a tie between 0 and the smallest subnormal: to even, 0
    [3 * 2 ** -25, 0x0002], // a tie between 1 and 2 subnormal units: to even, 2
    [1 + 2 ** -11, 0x3c00], // a tie between 1 and 1 + 2^-10: to even, 1
    [1 + 3 * 2 ** -11, 0x3c02], // a tie between 1 + 2^-10 and 1 + 2^-9: to even
    [2047.9999, 0x6800], // rounds up to 2048, carrying into the exponent
  ])('%d → 0x%s', (value, bits) => {
    expect(toFloat16Bits(value)).toBe(bits);
  });

  it('encodes NaN as a quiet NaN', () => {
    expect(toFloat16Bits(Number.NaN)).toBe(0x7e00);
    expect(fromFloat16Bits(0x7e00)).toBeNaN();
  });

  it('round-trips every finite float16', () => {
    const wrong: number[] = [];
    for (let bits = 0; bits < 0x10000; bits++) {
      if ((bits & 0x7c00) !== 0x7c00 && toFloat16Bits(fromFloat16Bits(bits)) !== bits) wrong.push(bits);
    }
    expect(wrong).toEqual([]);
  });
});
