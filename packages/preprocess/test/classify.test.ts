import { createTensor, KilnError } from '@kiln/core';
import { describe, expect, it } from 'vitest';
import { centerCrop, decodeImage, resizeBilinear, resizeShorter, toTensor, topK, type RgbImage } from '../src/index.js';
import { BUS, pixel } from './helpers.js';

/** An image whose pixel (x, y) is [x, y, 7]. */
function coordinates(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) data.set([x, y, 7], (y * width + x) * 3);
  return { data, width, height };
}

describe('centerCrop', () => {
  it("takes torchvision's window: corner at round((size − crop) / 2), ties to even", () => {
    const image = coordinates(10, 7);
    const crop = centerCrop(image, 4);
    expect([crop.width, crop.height]).toEqual([4, 4]);
    // left = round(6 / 2) = 3, top = round(3 / 2) = 2 (1.5 rounds to even)
    expect(pixel(crop, 0, 0)).toEqual([3, 2, 7]);
    expect(pixel(crop, 3, 3)).toEqual([6, 5, 7]);
    const tall = centerCrop(coordinates(9, 9), [2, 4]);
    expect([tall.width, tall.height]).toEqual([4, 2]);
    expect(pixel(tall, 0, 0)).toEqual([2, 4, 7]); // left = round(2.5) = 2, top = round(3.5) = 4
  });

  it('pads a crop larger than the image with black, floor of half the excess before', () => {
    const crop = centerCrop(coordinates(3, 2), [5, 6]);
    expect([crop.width, crop.height]).toEqual([6, 5]);
    // 3 more columns: 1 before, 2 after; 3 more rows: 1 before, 2 after
    expect(pixel(crop, 0, 0)).toEqual([0, 0, 0]);
    expect(pixel(crop, 1, 1)).toEqual([0, 0, 7]);
    expect(pixel(crop, 3, 2)).toEqual([2, 1, 7]);
    expect(pixel(crop, 4, 1)).toEqual([0, 0, 0]);
    expect(pixel(crop, 1, 3)).toEqual([0, 0, 0]);
  });

  it('refuses a size that is not a positive integer', () => {
    expect(() => centerCrop(coordinates(4, 4), 0)).toThrow(RangeError);
    expect(() => centerCrop(coordinates(4, 4), [2.5, 2])).toThrow(RangeError);
  });
});

describe('resizeShorter', () => {
  it("gives the shorter side the size and the longer int(size · long / short), as torchvision's Resize(int)", async () => {
    const bus = await decodeImage(BUS); // 810 × 1080
    const resized = resizeShorter(bus, 256);
    expect([resized.width, resized.height]).toEqual([256, 341]);
    expect(Buffer.from(resized.data).equals(Buffer.from(resizeBilinear(bus, 256, 341).data))).toBe(true);
    const wide = resizeShorter(coordinates(100, 30), 20);
    expect([wide.width, wide.height]).toEqual([66, 20]);
  });

  it('returns an image whose shorter side already has the size as it is', () => {
    const image = coordinates(40, 20);
    expect(resizeShorter(image, 20)).toBe(image);
  });
});

describe('topK', () => {
  it('orders each image’s classes best first, with softmax probabilities', () => {
    const logits = createTensor('float32', [2, 4], new Float32Array([1, 3, 2, 3, 0, 0, 10, -1]));
    const [first, second] = topK(logits, { k: 3 });
    expect(first.map((c) => c.classId)).toEqual([1, 3, 2]); // the tie keeps the lower id first
    const total = Math.exp(1) + 2 * Math.exp(3) + Math.exp(2);
    expect(first[0].score).toBeCloseTo(Math.exp(3) / total, 6);
    expect(second[0]).toEqual({ classId: 2, score: expect.closeTo(Math.exp(10) / (2 + Math.exp(10) + Math.exp(-1)), 6) });
  });

  it('keeps huge logits finite, gives raw values without softmax, and clamps k to the classes', () => {
    const logits = createTensor('float32', [1, 3, 1, 1], new Float32Array([1000, 999, -1000]));
    const [probabilities] = topK(logits, { k: 10 });
    expect(probabilities).toHaveLength(3);
    expect(probabilities.every((c) => Number.isFinite(c.score))).toBe(true);
    expect(probabilities[0].score).toBeCloseTo(1 / (1 + Math.exp(-1)), 6);
    expect(topK(logits, { k: 1, softmax: false })).toEqual([[{ classId: 0, score: 1000 }]]);
  });

  it('refuses what is not a float32 batch of scores, and bad options', () => {
    expect(() => topK(createTensor('int32', [1, 2], new Int32Array(2)))).toThrow(expect.objectContaining({ code: 'KILN_POSTPROCESS' }));
    expect(() => topK({ dtype: 'float32', shape: [2, 3], data: new Float32Array(5) })).toThrow(/\[2, 3\] and 5 values/);
    expect(() => topK(createTensor('float32', [1, 2], new Float32Array(2)), { k: 0 })).toThrow(KilnError);
  });
});

describe('an ImageNet-style pipeline', () => {
  it('resizes, crops and normalizes bus.jpg into a [1, 3, 224, 224] tensor', async () => {
    const bus = await decodeImage(BUS);
    const tensor = toTensor(centerCrop(resizeShorter(bus, 256), 224), { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
    expect(tensor.shape).toEqual([1, 3, 224, 224]);
    const resized = resizeShorter(bus, 256);
    // The crop's first pixel is the resized image's (16, 58): round((256 − 224) / 2), round((341 − 224) / 2)
    const [r] = pixel(resized, 16, 58);
    expect(tensor.data[0]).toBeCloseTo((r / 255 - 0.485) / 0.229, 5);
  });
});
