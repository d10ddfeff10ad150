import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { classColor, decodeImage, drawDetections, PALETTE, type Detection, type RgbImage } from '../src/index.js';
import { pixel } from './helpers.js';

const grey: RgbImage = { data: new Uint8Array(200 * 120 * 3).fill(128), width: 200, height: 120 };
const detections: Detection[] = [
  { box: [20, 40, 100, 110], score: 0.9, classId: 0 },
  { box: [120, 10, 190, 60], score: 0.5, classId: 3 },
];

describe('drawDetections', () => {
  it('draws boxes in the colour of their class and leaves the rest alone', async () => {
    const png = await drawDetections(grey, detections, { format: 'png', names: ['person', 'b', 'c', 'dog <&>'], lineWidth: 2 });
    expect(Array.from(png.subarray(0, 4))).toEqual([0x89, 0x50, 0x4e, 0x47]);
    const image = await decodeImage(png);
    expect([image.width, image.height]).toEqual([200, 120]);
    const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
    expect(pixel(image, 20, 80)).toEqual(rgb(classColor(0)));
    expect(pixel(image, 99, 80)).toEqual(rgb(classColor(0)));
    expect(pixel(image, 150, 60)).toEqual(rgb(classColor(3)));
    expect(pixel(image, 60, 80)).toEqual([128, 128, 128]);
    expect(pixel(image, 5, 5)).toEqual([128, 128, 128]);
    // The label sits above the first box, in its colour, with text in it.
    const label: number[][] = [];
    for (let x = 20; x < 80; x++) for (let y = 25; y < 39; y++) label.push(pixel(image, x, y));
    expect(label.filter((p) => p.join() === rgb(classColor(0)).join()).length).toBeGreaterThan(label.length / 3);
    expect(label.some((p) => p.join() === '255,255,255')).toBe(true);
  });

  it('writes JPEG by default', async () => {
    const jpeg = await drawDetections(grey, detections);
    expect(Array.from(jpeg.subarray(0, 3))).toEqual([0xff, 0xd8, 0xff]);
    const meta = await sharp(jpeg).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 200, 120]);
  });

  it('cycles a fixed palette', () => {
    expect(PALETTE).toHaveLength(20);
    expect(classColor(0)).toBe(PALETTE[0]);
    expect(classColor(21)).toBe(PALETTE[1]);
  });
});
