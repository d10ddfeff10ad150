import path from 'node:path';
import { OptionsError } from '@kiln/core';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeImage, letterbox, type RgbImage } from '../src/index.js';
import { BUS, CALIB, pixel, rawImage, tempDir } from './helpers.js';

const temp = tempDir();
afterAll(() => temp.remove());

function solid(width: number, height: number, rgb: [number, number, number]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) data.set(rgb, i);
  return { data, width, height };
}

/** Whether every pixel of the rectangle [x0, x1) × [y0, y1) is `rgb`. */
function regionIs(image: RgbImage, x0: number, y0: number, x1: number, y1: number, rgb: number[]): boolean {
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const p = pixel(image, x, y);
      if (p[0] !== rgb[0] || p[1] !== rgb[1] || p[2] !== rgb[2]) return false;
    }
  }
  return true;
}

describe('letterbox', () => {
  it('fits bus.jpg into 640×640 with 80 columns of grey each side', async () => {
    const bus = await decodeImage(BUS);
    const result = letterbox(bus);
    expect(result.scale[0]).toBeCloseTo(0.5926, 4);
    expect(result.scale).toEqual([640 / 1080, 640 / 1080]);
    expect([result.padX, result.padY]).toEqual([80, 0]);
    expect(result.padding).toEqual({ top: 0, bottom: 0, left: 80, right: 80 });
    expect([result.image.width, result.image.height]).toEqual([640, 640]);
    expect(regionIs(result.image, 0, 0, 80, 640, [114, 114, 114])).toBe(true);
    expect(regionIs(result.image, 560, 0, 640, 640, [114, 114, 114])).toBe(true);
    // The resized photo (480×640) starts at column 80: its corners are not padding.
    expect(regionIs(result.image, 80, 0, 560, 1, [114, 114, 114])).toBe(false);
  });

  it('pads to a multiple of the stride with auto', async () => {
    const bus = await decodeImage(BUS);
    const result = letterbox(bus, { auto: true });
    expect([result.image.width, result.image.height]).toEqual([480, 640]);
    expect([result.padX, result.padY]).toEqual([0, 0]);
    const tench = await decodeImage(path.join(CALIB, 'n01440764_tench.JPEG'));
    const t = letterbox(tench, { size: 320, auto: true, stride: 64 });
    // 500×375 → r = 0.64 → 320×240; dh = 80 mod 64 = 16 → 8 rows each side.
    expect([t.image.width, t.image.height]).toEqual([320, 256]);
    expect(t.padding).toEqual({ top: 8, bottom: 8, left: 0, right: 0 });
  });

  it('splits odd padding as YOLOv5 does: the extra row goes to the bottom', () => {
    const result = letterbox(solid(500, 375, [10, 20, 30]), { scaleUp: false });
    expect(result.scale).toEqual([1, 1]);
    expect([result.padX, result.padY]).toEqual([70, 132.5]);
    expect(result.padding).toEqual({ top: 132, bottom: 133, left: 70, right: 70 });
    expect(regionIs(result.image, 0, 0, 640, 132, [114, 114, 114])).toBe(true);
    expect(regionIs(result.image, 70, 132, 570, 507, [10, 20, 30])).toBe(true);
    expect(regionIs(result.image, 0, 507, 640, 640, [114, 114, 114])).toBe(true);
  });

  it('scales up by default and not with scaleUp: false', () => {
    const up = letterbox(solid(320, 160, [1, 2, 3]));
    expect(up.scale).toEqual([2, 2]);
    expect(up.padding).toEqual({ top: 160, bottom: 160, left: 0, right: 0 });
    const kept = letterbox(solid(320, 160, [1, 2, 3]), { scaleUp: false });
    expect(kept.scale).toEqual([1, 1]);
    expect(kept.padding).toEqual({ top: 240, bottom: 240, left: 160, right: 160 });
  });

  it('stretches with scaleFill', async () => {
    const bus = await decodeImage(BUS);
    const result = letterbox(bus, { scaleFill: true });
    expect([result.image.width, result.image.height]).toEqual([640, 640]);
    expect(result.scale).toEqual([640 / 810, 640 / 1080]);
    expect([result.padX, result.padY]).toEqual([0, 0]);
  });

  it('takes [height, width] and a colour', async () => {
    const bus = await decodeImage(BUS);
    const result = letterbox(bus, { size: [320, 640], color: [0, 0, 255] });
    // r = min(320/1080, 640/810) = 0.2963 → 240×320; dw = 400 / 2.
    expect([result.image.width, result.image.height]).toEqual([640, 320]);
    expect(result.padX).toBe(200);
    expect(regionIs(result.image, 0, 0, 200, 320, [0, 0, 255])).toBe(true);
    expect(regionIs(result.image, 440, 0, 640, 320, [0, 0, 255])).toBe(true);
  });

  it('letterboxes a 1×1 image to a uniform square', () => {
    const result = letterbox(solid(1, 1, [200, 100, 50]));
    expect(result.scale).toEqual([640, 640]);
    expect(result.padding).toEqual({ top: 0, bottom: 0, left: 0, right: 0 });
    expect(regionIs(result.image, 0, 0, 640, 640, [200, 100, 50])).toBe(true);
  });

  it('keeps at least one pixel for extreme aspect ratios', () => {
    const result = letterbox(solid(4000, 1, [9, 9, 9]));
    expect([result.image.width, result.image.height]).toEqual([640, 640]);
    // dh = 639 / 2 = 319.5: top = round(319.4), bottom = round(319.6).
    expect(result.padding).toEqual({ top: 319, bottom: 320, left: 0, right: 0 });
    expect(pixel(result.image, 300, 319)).toEqual([9, 9, 9]);
    expect(pixel(result.image, 300, 320)).toEqual([114, 114, 114]);
  });

  it('letterboxes a decoded 4000×3000 image', async () => {
    const width = 4000;
    const height = 3000;
    const rgb = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) rgb.set([x < 2000 ? 255 : 0, 128, y < 1500 ? 0 : 255], (y * width + x) * 3);
    }
    const file = path.join(temp.dir, 'large.png');
    await rawImage(rgb, width, height, 3).png({ compressionLevel: 1 }).toFile(file);
    const image = await decodeImage(file);
    const result = letterbox(image);
    expect(result.scale).toEqual([0.16, 0.16]);
    expect([result.image.width, result.image.height]).toEqual([640, 640]);
    expect(result.padding).toEqual({ top: 80, bottom: 80, left: 0, right: 0 });
    expect(pixel(result.image, 100, 100)).toEqual([255, 128, 0]);
    expect(pixel(result.image, 500, 500)).toEqual([0, 128, 255]);
    expect(pixel(result.image, 320, 20)).toEqual([114, 114, 114]);
  });

  it('validates its options', () => {
    const image = solid(4, 4, [0, 0, 0]);
    expect(() => letterbox(image, { size: 0 })).toThrow(OptionsError);
    expect(() => letterbox(image, { color: [0, 0, 256] })).toThrow(/color/);
    expect(() => letterbox({ data: new Uint8Array(5), width: 2, height: 2 })).toThrow(/needs 12 bytes/);
  });
});
