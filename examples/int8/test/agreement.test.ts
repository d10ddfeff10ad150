import { describe, expect, it } from 'vitest';
import { agreement, iou, type Box } from '../src/agreement.js';

const det = (classId: number, score: number, box: Box['box']): Box => ({ classId, score, box });

describe('detection agreement', () => {
  it('computes IoU', () => {
    expect(iou([0, 0, 10, 10], [0, 0, 10, 10])).toBe(1);
    expect(iou([0, 0, 10, 10], [5, 0, 15, 10])).toBeCloseTo(50 / 150);
    expect(iou([0, 0, 10, 10], [20, 20, 30, 30])).toBe(0);
  });

  it('counts matches of the same class at IoU 0.5, each reference used once', () => {
    const reference = [det(0, 0.9, [0, 0, 10, 10]), det(1, 0.8, [20, 20, 40, 40])];
    const candidate = [
      det(0, 0.85, [1, 0, 11, 10]), // matches the class-0 box
      det(0, 0.5, [0, 0, 10, 10]), // a duplicate: the reference is taken
      det(2, 0.7, [20, 20, 40, 40]), // wrong class
    ];
    const a = agreement([{ reference, candidate }]);
    expect([a.truePositives, a.falsePositives, a.falseNegatives]).toEqual([1, 2, 1]);
    expect(a.precision).toBeCloseTo(1 / 3);
    expect(a.recall).toBeCloseTo(1 / 2);
    expect(a.f1).toBeCloseTo(0.4);
  });

  it('is perfect for identical detections and empty images', () => {
    const boxes = [det(3, 0.6, [5, 5, 50, 60])];
    expect(agreement([{ reference: boxes, candidate: boxes }, { reference: [], candidate: [] }]).f1).toBe(1);
  });
});
