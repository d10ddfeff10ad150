import { parseOptions, type Tensor } from '@kiln/core';
import { z } from 'zod';
import { PostprocessError } from './errors.js';

const topKOptionsSchema = z
  .object({
    k: z.number().int().positive().default(5),
    softmax: z.boolean().default(true),
  })
  .strict();

export interface TopKOptions {
  /** How many classes per image, best first. Default 5 (all of them when there are fewer). */
  k?: number;
  /** Scores as softmax probabilities over all classes (default), or the raw values. */
  softmax?: boolean;
}

export interface ClassScore {
  classId: number;
  /** The class's softmax probability, or its raw value with `softmax: false`. */
  score: number;
}

/**
 * The best `k` classes of each image in a classifier's output: a float32 tensor whose first
 * dimension is the batch and whose other dimensions hold the classes (`[N, C]`, or `[N, C, 1, 1]`).
 * Ties keep the lower class id first.
 */
export function topK(output: Tensor, options?: TopKOptions): ClassScore[][] {
  const opts = parseOptions(topKOptionsSchema, options, 'topK options');
  if (output?.dtype !== 'float32' || !(output.data instanceof Float32Array)) {
    throw new PostprocessError(`topK expects a float32 tensor of class scores, got ${output?.dtype ?? typeof output}`);
  }
  const [batch, ...rest] = output.shape;
  const classes = rest.reduce((a, b) => a * b, 1);
  if (!(batch >= 1) || !(classes >= 1) || batch * classes !== output.data.length) {
    throw new PostprocessError(`topK expects a [batch, classes] tensor with its data, got shape [${output.shape.join(', ')}] and ${output.data.length} values`);
  }
  const k = Math.min(opts.k, classes);
  const results: ClassScore[][] = [];
  for (let n = 0; n < batch; n++) {
    const row = output.data.subarray(n * classes, (n + 1) * classes);
    const order = Array.from({ length: classes }, (_, i) => i).sort((a, b) => row[b] - row[a] || a - b);
    let max = -Infinity;
    let sum = 0;
    if (opts.softmax) {
      for (const v of row) max = Math.max(max, v);
      for (const v of row) sum += Math.exp(v - max);
    }
    results.push(order.slice(0, k).map((classId) => ({ classId, score: opts.softmax ? Math.exp(row[classId] - max) / sum : row[classId] })));
  }
  return results;
}
