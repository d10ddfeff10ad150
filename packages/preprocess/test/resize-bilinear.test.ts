import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resizeBilinear, type RgbImage } from '../src/index.js';
import { randomBytes } from './helpers.js';

/**
 * OpenCV's INTER_LINEAR written out in plain float math: half-pixel centres, columns clamped to
 * the edge with their weight zeroed, rows clamped, weights quantized to 11 bits.
 */
function reference(src: RgbImage, width: number, height: number): Uint8Array {
  const q = (w: number) => Math.round(w * 2048) / 2048;
  const out = new Uint8Array(width * height * 3);
  const clamp = (v: number, n: number) => Math.min(Math.max(v, 0), n - 1);
  for (let dy = 0; dy < height; dy++) {
    const fy = (dy + 0.5) * (src.height / height) - 0.5;
    const y0 = Math.floor(fy);
    const ty = fy - y0;
    for (let dx = 0; dx < width; dx++) {
      const fx = (dx + 0.5) * (src.width / width) - 0.5;
      let x0 = Math.floor(fx);
      let tx = fx - x0;
      if (x0 < 0 || x0 >= src.width - 1) {
        x0 = clamp(x0, src.width);
        tx = 0;
      }
      for (let c = 0; c < 3; c++) {
        const at = (x: number, y: number) => src.data[(clamp(y, src.height) * src.width + clamp(x, src.width)) * 3 + c];
        const top = q(1 - tx) * at(x0, y0) + q(tx) * at(x0 + 1, y0);
        const bottom = q(1 - tx) * at(x0, y0 + 1) + q(tx) * at(x0 + 1, y0 + 1);
        out[(dy * width + dx) * 3 + c] = Math.round(q(1 - ty) * top + q(ty) * bottom);
      }
    }
  }
  return out;
}

function maxDifference(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

const fixtures = JSON.parse(readFileSync(path.join(__dirname, 'fixtures/opencv-fixtures.json'), 'utf8')) as {
  resize: { src: [number, number]; dst: [number, number]; input: string; output: string }[];
};

describe('resizeBilinear', () => {
  it.each([
    [7, 5, 4, 3],
    [3, 3, 8, 8],
    [13, 11, 29, 23],
    [40, 9, 6, 20],
    [1, 1, 4, 3],
    [5, 1, 2, 1],
  ])('matches the float formula within ±1: %i×%i → %i×%i', (sw, sh, dw, dh) => {
    const src = { data: randomBytes(sw * sh * 3, sw * 31 + sh), width: sw, height: sh };
    const out = resizeBilinear(src, dw, dh);
    expect([out.width, out.height]).toEqual([dw, dh]);
    expect(maxDifference(out.data, reference(src, dw, dh))).toBeLessThanOrEqual(1);
  });

  it('gives OpenCV\'s values on ramps, truncation included', () => {
    // v = 10x + 40y is linear, so the exact answer is 10·fx + 40·fy with fx = 0.375 + 1.75·dx and
    // fy = (dy + 0.5)·5/3 − 0.5: 17.08, 34.58, 52.08, 69.58 on the first row. OpenCV's fixed-point
    // vertical pass truncates, so 34.58 gives 34 and 69.58 gives 69.
    const down = new Uint8Array(7 * 5 * 3);
    for (let y = 0; y < 5; y++) for (let x = 0; x < 7; x++) down[(y * 7 + x) * 3] = 10 * x + 40 * y;
    const small = resizeBilinear({ data: down, width: 7, height: 5 }, 4, 3);
    expect(Array.from(small.data.filter((_, i) => i % 3 === 0))).toEqual([17, 34, 52, 69, 84, 101, 119, 136, 150, 168, 185, 203]);

    // Upscaling v = 100x by 8/3: fx = 0.375·dx − 0.3125, clamped to the edge pixels at both ends.
    const up = new Uint8Array(3 * 3 * 3);
    for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) up[(y * 3 + x) * 3] = 100 * x;
    const big = resizeBilinear({ data: up, width: 3, height: 3 }, 8, 8);
    for (let y = 0; y < 8; y++) {
      const row = Array.from({ length: 8 }, (_, x) => big.data[(y * 8 + x) * 3]);
      expect(row).toEqual([0, 6, 44, 81, 119, 156, 194, 200]);
    }
  });

  it.each(fixtures.resize.map((f) => [`${f.src.join('×')} → ${f.dst.join('×')}`, f] as const))(
    'equals cv2.resize INTER_LINEAR bit for bit: %s',
    (_, f) => {
      const [sw, sh] = f.src;
      const [dw, dh] = f.dst;
      const out = resizeBilinear({ data: new Uint8Array(Buffer.from(f.input, 'base64')), width: sw, height: sh }, dw, dh);
      expect(Buffer.from(out.data).toString('base64')).toBe(f.output);
    },
  );

  it('keeps a uniform image uniform at any scale', () => {
    const src = { data: new Uint8Array(9 * 4 * 3).fill(201), width: 9, height: 4 };
    for (const [w, h] of [[1, 1], [17, 3], [100, 70]]) {
      expect(resizeBilinear(src, w, h).data.every((v) => v === 201)).toBe(true);
    }
  });

  it('refuses bad sizes', () => {
    const src = { data: new Uint8Array(3), width: 1, height: 1 };
    expect(() => resizeBilinear(src, 0, 4)).toThrow(RangeError);
    expect(() => resizeBilinear({ ...src, width: 2 }, 4, 4)).toThrow(/needs 6 bytes/);
  });
});
