import { createTensor, OptionsError } from '@kiln/core';
import { describe, expect, it } from 'vitest';
import { decodeYolo, nonMaxSuppression, PostprocessError, toFloat16Bits, type Detection } from '../src/index.js';

type Row = [cx: number, cy: number, w: number, h: number, obj: number, ...classes: number[]];

function output(batches: Row[][]) {
  const rows = batches[0].length;
  const stride = batches[0][0].length;
  return createTensor('float32', [batches.length, rows, stride], Float32Array.from(batches.flat(2)));
}

// Three classes. A and B: class 0, IoU 0.818; C: class 1 where B is; D: class 2 far away.
const A: Row = [100, 100, 50, 50, 0.9, 0.9, 0.1, 0.1]; // score 0.81
const B: Row = [105, 100, 50, 50, 0.8, 0.9, 0.1, 0.1]; // 0.72, suppressed by A
const C: Row = [105, 100, 50, 50, 0.8, 0.1, 0.95, 0]; // 0.76, class 1
const LOW_OBJ: Row = [300, 300, 20, 20, 0.2, 1, 0, 0]; // objectness under 0.25
const LOW_CONF: Row = [300, 300, 20, 20, 0.5, 0.4, 0.3, 0.2]; // 0.5 × 0.4 = 0.2 under 0.25
const D: Row = [400, 300, 40, 20, 0.6, 0.1, 0.2, 0.7]; // 0.42, class 2
const ROWS = [B, LOW_OBJ, A, C, LOW_CONF, D];

const summary = (detections: Detection[]) => detections.map((d) => [d.classId, Number(d.score.toFixed(4))]);

describe('decodeYolo', () => {
  it('keeps the best box per class, best first, with xyxy boxes', () => {
    const [detections] = decodeYolo(output([ROWS]));
    expect(summary(detections)).toEqual([
      [0, 0.81],
      [1, 0.76],
      [2, 0.42],
    ]);
    expect(detections[0].box).toEqual([75, 75, 125, 125]);
    expect(detections[1].box).toEqual([80, 75, 130, 125]);
    expect(detections[2].box).toEqual([380, 290, 420, 310]);
    expect(detections[0].score).toBe(Math.fround(Math.fround(0.9) * Math.fround(0.9)));
  });

  it('suppresses across classes when agnostic', () => {
    const [detections] = decodeYolo(output([ROWS]), { agnostic: true });
    expect(summary(detections)).toEqual([
      [0, 0.81],
      [2, 0.42],
    ]);
  });

  it('applies the confidence threshold to objectness and to objectness × class', () => {
    expect(summary(decodeYolo(output([ROWS]), { confThreshold: 0.5 })[0])).toEqual([
      [0, 0.81],
      [1, 0.76],
    ]);
    // At 0.1, LOW_CONF (0.2) and LOW_OBJ (0.2) pass too; they overlap (IoU 1), so one remains.
    const low = decodeYolo(output([ROWS]), { confThreshold: 0.1 })[0];
    expect(low).toHaveLength(4);
    expect(low[3].box).toEqual([290, 290, 310, 310]);
  });

  it('keeps overlapping boxes below the IoU threshold', () => {
    expect(summary(decodeYolo(output([ROWS]), { iouThreshold: 0.85 })[0])).toEqual([
      [0, 0.81],
      [1, 0.76],
      [0, 0.72],
      [2, 0.42],
    ]);
  });

  it('stops at maxDetections', () => {
    expect(summary(decodeYolo(output([ROWS]), { maxDetections: 2 })[0])).toEqual([
      [0, 0.81],
      [1, 0.76],
    ]);
  });

  it('filters by class', () => {
    expect(summary(decodeYolo(output([ROWS]), { classes: [1, 2] })[0])).toEqual([
      [1, 0.76],
      [2, 0.42],
    ]);
  });

  it('decodes each image of a batch on its own', () => {
    const empty: Row = [10, 10, 5, 5, 0.01, 1, 0, 0];
    const result = decodeYolo(output([ROWS, [D, empty, empty, empty, empty, empty]]));
    expect(result).toHaveLength(2);
    expect(result[0]).toHaveLength(3);
    expect(summary(result[1])).toEqual([[2, 0.42]]);
  });

  it('reads float16 outputs', () => {
    const f32 = output([ROWS]);
    const f16 = createTensor('float16', f32.shape, Uint16Array.from(f32.data as Float32Array, toFloat16Bits));
    const [detections] = decodeYolo(f16);
    expect(detections.map((d) => d.classId)).toEqual([0, 1, 2]);
    expect(detections[0].score).toBeCloseTo(0.81, 3);
    expect(detections[0].box).toEqual([75, 75, 125, 125]);
  });

  it('refuses tensors of the wrong shape or type', () => {
    expect(() => decodeYolo(createTensor('float32', [25200, 85]))).toThrow(PostprocessError);
    expect(() => decodeYolo(createTensor('float32', [1, 10, 5]))).toThrow(/at least one class/);
    expect(() => decodeYolo(createTensor('int32', [1, 10, 85]))).toThrow(/float32 or float16/);
    expect(() => decodeYolo(output([ROWS]), { iouThreshold: 2 })).toThrow(OptionsError);
  });

  it.each([
    ['within maxWh (per-class NMS)', 640, 10],
    ['beyond maxWh (one shifted NMS)', 20000, 4],
  ])('agrees with a literal YOLOv5 reference on random output, coordinates %s', (_, extent, classCount) => {
    const rows = 3000;
    const stride = 5 + classCount;
    const random = lcg(extent);
    const data = new Float32Array(rows * stride);
    for (let r = 0; r < rows; r++) {
      const o = r * stride;
      data[o] = random() * extent;
      data[o + 1] = random() * extent;
      data[o + 2] = 10 + random() * extent * 0.3;
      data[o + 3] = 10 + random() * extent * 0.3;
      data[o + 4] = random() ** 2;
      for (let c = 0; c < classCount; c++) data[o + 5 + c] = random();
    }
    const tensor = createTensor('float32', [1, rows, stride], data);
    for (const agnostic of [false, true]) {
      const actual = decodeYolo(tensor, { agnostic, maxDetections: 5000 })[0];
      const expected = reference(data, rows, stride, { conf: 0.25, iou: 0.45, agnostic, maxWh: 7680 });
      expect(actual.length).toBeGreaterThan(10);
      expect(actual.map((d) => [d.classId, d.score, ...d.box])).toEqual(expected);
    }
  });
});

describe('nonMaxSuppression', () => {
  it('keeps the best of overlapping boxes, best first', () => {
    const boxes = [0, 0, 10, 10, 1, 1, 11, 11, 20, 20, 30, 30, 0, 0, 10, 9];
    expect(nonMaxSuppression(boxes, [0.5, 0.9, 0.3, 0.8], 0.5)).toEqual([1, 2]);
    expect(nonMaxSuppression(boxes, [0.5, 0.9, 0.3, 0.8], 0.99)).toEqual([1, 3, 0, 2]);
    expect(() => nonMaxSuppression([0, 0, 1], [1], 0.5)).toThrow(RangeError);
  });
});

function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1664525 + 1013904223) % 4294967296;
    return s / 4294967296;
  };
}

/** YOLOv5's non_max_suppression written out directly: filter, sort, shift by class, O(n²) greedy NMS. */
function reference(
  data: Float32Array,
  rows: number,
  stride: number,
  o: { conf: number; iou: number; agnostic: boolean; maxWh: number },
): number[][] {
  const f = Math.fround;
  const cands: { box: number[]; score: number; cls: number }[] = [];
  for (let r = 0; r < rows; r++) {
    const row = data.subarray(r * stride, (r + 1) * stride);
    if (!(row[4] > o.conf)) continue;
    const scores = Array.from(row.subarray(5), (v) => f(v * row[4]));
    const best = Math.max(...scores);
    if (!(best > o.conf)) continue;
    const [cx, cy, w, h] = row;
    cands.push({ box: [f(cx - w / 2), f(cy - h / 2), f(cx + w / 2), f(cy + h / 2)], score: best, cls: scores.indexOf(best) });
  }
  cands.sort((a, b) => b.score - a.score);
  const shifted = cands.map((c) => c.box.map((v) => f(v + (o.agnostic ? 0 : c.cls * o.maxWh))));
  const area = (b: number[]) => f(f(b[2] - b[0]) * f(b[3] - b[1]));
  const removed = new Set<number>();
  const kept: number[][] = [];
  for (let i = 0; i < cands.length; i++) {
    if (removed.has(i)) continue;
    kept.push([cands[i].cls, cands[i].score, ...cands[i].box]);
    const a = shifted[i];
    for (let j = i + 1; j < cands.length; j++) {
      const b = shifted[j];
      const w = Math.max(0, f(Math.min(a[2], b[2]) - Math.max(a[0], b[0])));
      const h = Math.max(0, f(Math.min(a[3], b[3]) - Math.max(a[1], b[1])));
      const inter = f(w * h);
      if (f(inter / f(f(area(a) + area(b)) - inter)) > o.iou) removed.add(j);
    }
  }
  return kept;
}
