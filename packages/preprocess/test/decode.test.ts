import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { OptionsError } from '@kiln/core';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeImage, ImageError } from '../src/index.js';
import { BUS, CALIB, pixel, rawImage, tempDir } from './helpers.js';

const temp = tempDir();
afterAll(() => temp.remove());

async function expectImageError(promise: Promise<unknown>, reason: string, message: RegExp) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ImageError);
  expect((error as ImageError).code).toBe('KILN_IMAGE');
  expect((error as ImageError).reason).toBe(reason);
  expect((error as ImageError).message).toMatch(message);
  expect((error as ImageError).message).not.toMatch(/\n\s+at /);
}

describe('decodeImage', () => {
  it('decodes bus.jpg from a path to 810×1080 RGB', async () => {
    const image = await decodeImage(BUS);
    expect(image.width).toBe(810);
    expect(image.height).toBe(1080);
    expect(image.data).toBeInstanceOf(Uint8Array);
    expect(image.data.length).toBe(810 * 1080 * 3);
  });

  it('decodes the same pixels from bytes as from the path', async () => {
    const fromPath = await decodeImage(BUS);
    const fromBytes = await decodeImage(new Uint8Array(readFileSync(BUS)));
    expect(fromBytes.width).toBe(810);
    expect(Buffer.compare(Buffer.from(fromBytes.data), Buffer.from(fromPath.data))).toBe(0);
  });

  it('decodes calibration JPEGs', async () => {
    for (const name of ['n01440764_tench.JPEG', 'n01532829_house_finch.JPEG']) {
      const image = await decodeImage(path.join(CALIB, name));
      expect(image.width).toBe(500);
      expect(image.data.length).toBe(image.width * image.height * 3);
    }
    const finch = await decodeImage(path.join(CALIB, 'n01532829_house_finch.JPEG'));
    expect(finch.height).toBe(416);
  });

  it('expands grayscale to RGB', async () => {
    const gray = Uint8Array.from([0, 50, 100, 150, 200, 255]);
    const file = path.join(temp.dir, 'gray.png');
    await rawImage(gray, 3, 2, 1).toColourspace('b-w').png().toFile(file);
    expect((await sharp(file).metadata()).channels).toBe(1);
    const image = await decodeImage(file);
    expect([image.width, image.height]).toEqual([3, 2]);
    expect(Array.from(image.data)).toEqual([0, 0, 0, 50, 50, 50, 100, 100, 100, 150, 150, 150, 200, 200, 200, 255, 255, 255]);
  });

  it('drops the alpha channel of RGBA without compositing', async () => {
    const rgba = Uint8Array.from([255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 0, 10, 20, 30, 64]);
    const file = path.join(temp.dir, 'rgba.png');
    await rawImage(rgba, 2, 2, 4).png().toFile(file);
    expect((await sharp(file).metadata()).channels).toBe(4);
    const image = await decodeImage(file);
    expect(Array.from(image.data)).toEqual([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]);
  });

  it('drops the alpha channel of gray + alpha', async () => {
    const file = path.join(temp.dir, 'gray-alpha.png');
    await rawImage(Uint8Array.from([40, 0, 220, 255]), 2, 1, 2).toColourspace('b-w').png().toFile(file);
    expect((await sharp(file).metadata()).channels).toBe(2);
    const image = await decodeImage(file);
    expect(Array.from(image.data)).toEqual([40, 40, 40, 220, 220, 220]);
  });

  it('decodes lossless WebP exactly', async () => {
    const rgb = Uint8Array.from([1, 2, 3, 250, 251, 252, 100, 0, 200, 7, 77, 177]);
    const bytes = await rawImage(rgb, 2, 2, 3).webp({ lossless: true }).toBuffer();
    const image = await decodeImage(new Uint8Array(bytes));
    expect([image.width, image.height]).toEqual([2, 2]);
    expect(Array.from(image.data)).toEqual(Array.from(rgb));
  });

  it('decodes 16-bit PNG to 8 bits', async () => {
    const file = path.join(temp.dir, 'deep.png');
    await rawImage(Uint8Array.from([0, 128, 255]), 1, 1, 3).toColourspace('rgb16').png().toFile(file);
    expect((await sharp(file).metadata()).depth).toBe('ushort');
    const image = await decodeImage(file);
    expect(Array.from(image.data)).toEqual([0, 128, 255]);
  });

  it('applies the EXIF orientation', async () => {
    // 16×8, left half red, right half blue; orientation 6 means "rotate 90° clockwise to view".
    const rgb = new Uint8Array(16 * 8 * 3);
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 16; x++) rgb.set(x < 8 ? [255, 0, 0] : [0, 0, 255], (y * 16 + x) * 3);
    }
    const file = path.join(temp.dir, 'rotated.jpg');
    await rawImage(rgb, 16, 8, 3).jpeg({ quality: 100 }).withMetadata({ orientation: 6 }).toFile(file);
    expect((await sharp(file).metadata()).orientation).toBe(6);
    const image = await decodeImage(file);
    expect([image.width, image.height]).toEqual([8, 16]);
    const [r1, , b1] = pixel(image, 4, 2);
    const [r2, , b2] = pixel(image, 4, 13);
    expect(r1).toBeGreaterThan(200);
    expect(b1).toBeLessThan(60);
    expect(r2).toBeLessThan(60);
    expect(b2).toBeGreaterThan(200);
  });

  it('names the path of a missing file', async () => {
    const missing = path.join(temp.dir, 'no-such.jpg');
    await expectImageError(decodeImage(missing), 'not-found', new RegExp(`image file not found: '${missing}'`));
  });

  it('refuses a directory', async () => {
    await expectImageError(decodeImage(temp.dir), 'unreadable', /is a directory/);
  });

  it('refuses a text file', async () => {
    const file = path.join(temp.dir, 'notes.jpg');
    writeFileSync(file, 'these are not the pixels you are looking for\n');
    await expectImageError(decodeImage(file), 'not-an-image', /notes\.jpg' is not an image/);
  });

  it('refuses empty data', async () => {
    await expectImageError(decodeImage(new Uint8Array(0)), 'not-an-image', /empty/);
  });

  it('refuses a truncated JPEG', async () => {
    const bytes = readFileSync(BUS);
    await expectImageError(
      decodeImage(new Uint8Array(bytes.subarray(0, bytes.length >> 1))),
      'corrupt',
      /could not be decoded: its jpeg data is corrupt or truncated/,
    );
  });

  it('refuses an image above the pixel limit, naming its size', async () => {
    await expectImageError(decodeImage(BUS, { maxPixels: 800_000 }), 'too-large', /810×1080 \(0\.9 megapixels\), above the limit of 800000/);
    const image = await decodeImage(BUS, { maxPixels: 810 * 1080 });
    expect(image.width).toBe(810);
  });

  it('refuses vector formats', async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>';
    await expectImageError(decodeImage(new TextEncoder().encode(svg)), 'unsupported-format', /is svg/);
  });

  it('validates its arguments', async () => {
    await expect(decodeImage(BUS, { maxPixels: -1 })).rejects.toBeInstanceOf(OptionsError);
    await expect(decodeImage(BUS, { nope: 1 } as never)).rejects.toBeInstanceOf(OptionsError);
    await expectImageError(decodeImage(42 as never), 'invalid-image', /file path or the image bytes/);
  });
});
