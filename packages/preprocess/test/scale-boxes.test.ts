import { describe, expect, it } from 'vitest';
import { letterbox, PostprocessError, scaleBoxes, type Detection } from '../src/index.js';

const bus = { data: new Uint8Array(810 * 1080 * 3), width: 810, height: 1080 };

describe('scaleBoxes', () => {
  it('maps boxes back through the letterbox of bus.jpg', () => {
    const info = letterbox(bus);
    const r = 640 / 1080;
    const original = [219, 408, 349, 863];
    const inLetterbox: Detection = {
      box: [original[0] * r + 80, original[1] * r, original[2] * r + 80, original[3] * r],
      score: 0.82,
      classId: 0,
    };
    const [mapped] = scaleBoxes([inLetterbox], info, bus);
    mapped.box.forEach((v, i) => expect(v).toBeCloseTo(original[i], 9));
    expect(mapped.score).toBe(0.82);
    expect(mapped.classId).toBe(0);
    expect(inLetterbox.box[0]).toBeCloseTo(209.78, 2); // the input is left alone
  });

  it('uses each axis scale and half-pixel padding', () => {
    const [d] = scaleBoxes([{ box: [70, 132.5, 570, 507.5], score: 1, classId: 3 }], { scale: [1, 1], padX: 70, padY: 132.5 }, { width: 500, height: 375 });
    expect(d.box).toEqual([0, 0, 500, 375]);
    const [s] = scaleBoxes([{ box: [64, 64, 320, 320], score: 1, classId: 0 }], { scale: [0.5, 0.25], padX: 0, padY: 0 }, { width: 1280, height: 2560 });
    expect(s.box).toEqual([128, 256, 640, 1280]);
  });

  it('clips to the original image', () => {
    const [d] = scaleBoxes([{ box: [50, -20, 700, 660], score: 0.5, classId: 1 }], letterbox(bus), bus);
    expect(d.box[0]).toBe(0);
    expect(d.box[1]).toBe(0);
    expect(d.box[2]).toBe(810);
    expect(d.box[3]).toBe(1080);
  });

  it('refuses a bad letterbox description', () => {
    expect(() => scaleBoxes([], { scale: [0, 1], padX: 0, padY: 0 }, bus)).toThrow(PostprocessError);
    expect(() => scaleBoxes([], { scale: [1, 1], padX: 0, padY: 0 }, { width: 0, height: 5 })).toThrow(/positive width/);
  });
});
