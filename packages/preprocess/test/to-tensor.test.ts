import { OptionsError } from '@kiln/core';
import { describe, expect, it } from 'vitest';
import { ImageError, toTensor, type RgbImage } from '../src/index.js';

// 2×2: (0,0) = [0, 51, 102], (1,0) = [153, 204, 255], (0,1) = [10, 20, 30], (1,1) = [40, 50, 60]
const image: RgbImage = { data: Uint8Array.from([0, 51, 102, 153, 204, 255, 10, 20, 30, 40, 50, 60]), width: 2, height: 2 };

describe('toTensor', () => {
  it('lays out NCHW RGB scaled by 1/255 by default', () => {
    const t = toTensor(image);
    expect(t.dtype).toBe('float32');
    expect(t.shape).toEqual([1, 3, 2, 2]);
    expect(t.data).toBeInstanceOf(Float32Array);
    const expected = [0, 153, 10, 40, 51, 204, 20, 50, 102, 255, 30, 60].map((v) => Math.fround(v / 255));
    expect(Array.from(t.data)).toEqual(expected);
  });

  it('swaps to BGR', () => {
    const t = toTensor(image, { channelOrder: 'bgr', scale: 1 });
    expect(Array.from(t.data)).toEqual([102, 255, 30, 60, 51, 204, 20, 50, 0, 153, 10, 40]);
  });

  it('keeps NHWC when asked', () => {
    const t = toTensor(image, { layout: 'nhwc', scale: 1 });
    expect(t.shape).toEqual([1, 2, 2, 3]);
    expect(Array.from(t.data)).toEqual(Array.from(image.data));
    const bgr = toTensor(image, { layout: 'nhwc', scale: 1, channelOrder: 'bgr' });
    expect(Array.from(bgr.data.slice(0, 6))).toEqual([102, 51, 0, 255, 204, 153]);
  });

  it('normalizes with mean and std per channel', () => {
    const t = toTensor(image, { scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
    const v = (x: number, m: number, s: number) => Math.fround((x / 255 - m) / s);
    expect(t.data[0]).toBeCloseTo(v(0, 0.485, 0.229), 6);
    expect(t.data[1]).toBeCloseTo(v(153, 0.485, 0.229), 6);
    expect(t.data[4]).toBeCloseTo(v(51, 0.456, 0.224), 6);
    expect(t.data[9]).toBeCloseTo(v(255, 0.406, 0.225), 6);
    expect(t.data[9]).toBeCloseTo(2.64, 2);
    const single = toTensor(image, { scale: 1, mean: [100], std: [2] });
    expect(Array.from(single.data.slice(0, 4))).toEqual([-50, 26.5, -45, -30]);
  });

  it('writes float16 bits rounded to nearest even', () => {
    const t = toTensor(image, { dtype: 'float16' });
    expect(t.dtype).toBe('float16');
    expect(t.data).toBeInstanceOf(Uint16Array);
    // 0 → 0x0000; 153/255 = 0.6 → 0x38cd; 10/255 = 0.0392 → 0x2905; 255/255 = 1 → 0x3c00 (as numpy.float16)
    expect(t.data[0]).toBe(0x0000);
    expect(t.data[1]).toBe(0x38cd);
    expect(t.data[2]).toBe(0x2905);
    expect(t.data[9]).toBe(0x3c00);
  });

  it('batches images of one size', () => {
    const other: RgbImage = { data: new Uint8Array(12).fill(255), width: 2, height: 2 };
    const t = toTensor([image, other], { scale: 1 });
    expect(t.shape).toEqual([2, 3, 2, 2]);
    expect(Array.from(t.data.slice(0, 12))).toEqual([0, 153, 10, 40, 51, 204, 20, 50, 102, 255, 30, 60]);
    expect(Array.from(t.data.slice(12))).toEqual(new Array(12).fill(255));
  });

  it('refuses a batch of different sizes, naming them', () => {
    const wide: RgbImage = { data: new Uint8Array(18), width: 3, height: 2 };
    expect(() => toTensor([image, wide])).toThrow(ImageError);
    expect(() => toTensor([image, wide])).toThrow('image 0 is 2×2 but image 1 is 3×2');
    expect(() => toTensor([])).toThrow(/at least one image/);
  });

  it('validates its options', () => {
    expect(() => toTensor(image, { std: [1, 0, 1] })).toThrow(OptionsError);
    expect(() => toTensor(image, { mean: [1, 2] })).toThrow(/one value for all channels or three/);
    expect(() => toTensor(image, { layout: 'chw' as never })).toThrow(OptionsError);
  });
});
