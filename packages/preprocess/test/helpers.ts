import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { RgbImage } from '../src/index.js';

export const SHARED = path.resolve(__dirname, '../../../../shared');
export const BUS = path.join(SHARED, 'images/bus.jpg');
export const CALIB = path.join(SHARED, 'images/calib');

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A fresh temporary folder and a function that removes it. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'kiln-preprocess-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Raw interleaved pixels with `channels` channels as a sharp pipeline. */
export function rawImage(data: Uint8Array, width: number, height: number, channels: 1 | 2 | 3 | 4) {
  return sharp(Buffer.from(data), { raw: { width, height, channels } });
}

/** The RGB triple at (x, y). */
export function pixel(image: RgbImage, x: number, y: number): number[] {
  const i = (y * image.width + x) * 3;
  return [image.data[i], image.data[i + 1], image.data[i + 2]];
}

/** A deterministic pseudo-random byte sequence (xorshift32). */
export function randomBytes(length: number, seed = 1): Uint8Array {
  let s = seed >>> 0 || 1;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = s & 0xff;
  }
  return out;
}
