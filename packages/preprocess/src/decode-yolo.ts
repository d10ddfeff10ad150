import { parseOptions, type Tensor } from '@kiln/core';
import { z } from 'zod';
import { PostprocessError } from './errors.js';
import { float16ArrayToFloat32 } from './float16.js';
import { greedyNms } from './nms.js';

/** One detected object: corners in pixels of the image the model saw, unless mapped with `scaleBoxes`. */
export interface Detection {
  box: [x1: number, y1: number, x2: number, y2: number];
  score: number;
  classId: number;
}

const decodeYoloOptionsSchema = z
  .object({
    confThreshold: z.number().min(0).max(1).default(0.25),
    iouThreshold: z.number().min(0).max(1).default(0.45),
    maxDetections: z.number().int().positive().default(300),
    agnostic: z.boolean().default(false),
    classes: z.array(z.number().int().min(0)).optional(),
    maxWh: z.number().positive().default(7680),
  })
  .strict();

export interface DecodeYoloOptions {
  /** Keep boxes whose objectness, and then whose objectness × class score, is above this. Default 0.25. */
  confThreshold?: number;
  /** Suppress a box overlapping a better one of its class with IoU above this. Default 0.45. */
  iouThreshold?: number;
  /** At most this many detections per image, best first. Default 300. */
  maxDetections?: number;
  /** Suppress across classes too. Default false. */
  agnostic?: boolean;
  /** Keep only these class ids. */
  classes?: number[];
  /** Per-class box offset that keeps classes apart in class-aware NMS. Default 7680. */
  maxWh?: number;
}

// YOLOv5 keeps at most this many candidates, best first, before NMS.
const MAX_NMS = 30000;

/**
 * Decodes a YOLOv5 detection output `[batch, N, 5 + classes]` (cx, cy, w, h, objectness, class
 * scores) into detections per image, with the semantics of YOLOv5's `non_max_suppression` in its
 * default single-label mode.
 */
export function decodeYolo(output: Tensor, options?: DecodeYoloOptions): Detection[][] {
  const opts = parseOptions(decodeYoloOptionsSchema, options, 'decodeYolo options');
  const { data, batch, rows, stride } = readOutput(output);
  const classCount = stride - 5;
  const keepClass = opts.classes ? new Uint8Array(classCount).fill(0) : undefined;
  opts.classes?.forEach((c) => {
    if (c < classCount) keepClass![c] = 1;
  });
  const conf = Math.fround(opts.confThreshold);
  const results: Detection[][] = [];
  for (let b = 0; b < batch; b++) {
    results.push(decodeImage(data, b * rows * stride, rows, stride, classCount, conf, keepClass, opts));
  }
  return results;
}

function readOutput(output: Tensor): { data: Float32Array; batch: number; rows: number; stride: number } {
  if (!output || typeof output !== 'object' || !Array.isArray(output.shape)) {
    throw new PostprocessError('decodeYolo needs a tensor { dtype, shape, data }');
  }
  const { dtype, shape } = output;
  if (shape.length !== 3 || shape[2] < 6) {
    throw new PostprocessError(
      `decodeYolo expects an output of shape [batch, boxes, 5 + classes] with at least one class, got [${shape.join(', ')}]`,
    );
  }
  let data: Float32Array;
  if (dtype === 'float32' && output.data instanceof Float32Array) data = output.data;
  else if (dtype === 'float16' && output.data instanceof Uint16Array) data = float16ArrayToFloat32(output.data);
  else throw new PostprocessError(`decodeYolo expects a float32 or float16 tensor, got ${dtype}`);
  const [batch, rows, stride] = shape;
  if (data.length !== batch * rows * stride) {
    throw new PostprocessError(`output of shape [${shape.join(', ')}] needs ${batch * rows * stride} values, has ${data.length}`);
  }
  return { data, batch, rows, stride };
}

function decodeImage(
  data: Float32Array,
  base: number,
  rows: number,
  stride: number,
  classCount: number,
  conf: number,
  keepClass: Uint8Array | undefined,
  opts: z.output<typeof decodeYoloOptionsSchema>,
): Detection[] {
  const f = Math.fround;
  // Survivors of the confidence filters, packed: corners, score, class.
  const boxes = new Float32Array(rows * 4);
  const scores = new Float32Array(rows);
  const classes = new Int32Array(rows);
  let n = 0;
  for (let r = 0, row = base; r < rows; r++, row += stride) {
    const obj = data[row + 4];
    if (!(obj > conf)) continue;
    let best = -Infinity;
    let bestClass = 0;
    for (let c = 0; c < classCount; c++) {
      const score = f(data[row + 5 + c] * obj);
      if (score > best) {
        best = score;
        bestClass = c;
      }
    }
    if (!(best > conf) || (keepClass && !keepClass[bestClass])) continue;
    const cx = data[row];
    const cy = data[row + 1];
    const hw = f(data[row + 2] / 2);
    const hh = f(data[row + 3] / 2);
    boxes[n * 4] = cx - hw;
    boxes[n * 4 + 1] = cy - hh;
    boxes[n * 4 + 2] = cx + hw;
    boxes[n * 4 + 3] = cy + hh;
    scores[n] = best;
    classes[n] = bestClass;
    n++;
  }
  if (n === 0) return [];

  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => scores[b] - scores[a]);
  const candidates = order.subarray(0, Math.min(n, MAX_NMS));
  const kept = suppress(boxes, classes, candidates, opts);

  kept.sort((a, b) => scores[b] - scores[a]);
  return kept.slice(0, opts.maxDetections).map((i) => ({
    box: [boxes[i * 4], boxes[i * 4 + 1], boxes[i * 4 + 2], boxes[i * 4 + 3]],
    score: scores[i],
    classId: classes[i],
  }));
}

/**
 * Class-aware NMS the YOLOv5 way: every box is shifted by classId × maxWh (in float32, as torch
 * does) and one NMS runs over all of them. When every coordinate spans less than maxWh, boxes of
 * different classes cannot overlap after the shift, so running NMS per class gives the same
 * result with far fewer comparisons.
 */
function suppress(
  boxes: Float32Array,
  classes: Int32Array,
  candidates: Uint32Array,
  opts: { agnostic: boolean; maxWh: number; iouThreshold: number },
): number[] {
  const shifted = new Float32Array(boxes.length);
  let lo = Infinity;
  let hi = -Infinity;
  for (const i of candidates) {
    const offset = opts.agnostic ? 0 : classes[i] * opts.maxWh;
    for (let k = 0; k < 4; k++) {
      const v = boxes[i * 4 + k];
      shifted[i * 4 + k] = v + offset;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (opts.agnostic || hi - lo > opts.maxWh) return greedyNms(shifted, candidates, opts.iouThreshold);

  const byClass = new Map<number, number[]>();
  for (const i of candidates) {
    const list = byClass.get(classes[i]);
    if (list) list.push(i);
    else byClass.set(classes[i], [i]);
  }
  const kept: number[] = [];
  for (const list of byClass.values()) {
    for (const i of greedyNms(shifted, list, opts.iouThreshold)) kept.push(i);
  }
  return kept;
}
