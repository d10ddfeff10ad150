import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TensorStatistics } from '@kiln/core';

/** A seeded PRNG (mulberry32): the same numbers on every run. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function laplace(rand: () => number, b: number): number {
  const u = rand() - 0.5;
  return -b * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
}

export function gaussian(rand: () => number): number {
  const u = 1 - rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/**
 * What the core records for these values: min, max and a histogram of |x| over [0, absmax] in
 * `bins` bins (bin i counts [i·w, (i+1)·w), the largest value in the last bin).
 */
export function statisticsOf(values: ArrayLike<number>, bins = 2048): TensorStatistics {
  let min = Infinity;
  let max = -Infinity;
  let absmax = 0;
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    min = Math.min(min, v);
    max = Math.max(max, v);
    absmax = Math.max(absmax, Math.abs(v));
  }
  const binWidth = absmax / bins;
  const counts = new Float64Array(bins);
  const positiveCounts = new Float64Array(bins);
  for (let k = 0; k < values.length; k++) {
    const bin = Math.min(bins - 1, Math.floor(Math.abs(values[k]) / binWidth));
    counts[bin]++;
    if (values[k] > 0) positiveCounts[bin]++;
  }
  return { min, max, binWidth, counts, positiveCounts };
}

/** A fresh temporary folder and a function that removes it. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'kiln-calibrator-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
