import type { TensorStatistics } from '@kiln/core';
import { CalibrationError } from './errors.js';

/** INT8's symmetric range: scale = threshold / 127 (TensorRT's convention). */
export const INT8_MAX = 127;

/**
 * The scale given to a tensor the statistics say nothing useful about: one never seen, or only
 * zeros (2^-20, a threshold of about 1.2e-4). Never 0, so `x / scale` stays finite.
 */
export const MIN_SCALE = 2 ** -20;

/** The largest |x| the statistics recorded, or 0 when min/max are missing or not finite. */
export function absMax(stats: Pick<TensorStatistics, 'min' | 'max'>): number {
  const m = Math.max(Math.abs(stats.min), Math.abs(stats.max));
  return Number.isFinite(m) ? m : 0;
}

/** The sum of the histogram's counts. */
export function histogramTotal(counts: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i];
  return total;
}

/** The upper edge of the highest non-empty bin, or 0 when every bin is empty. */
export function histogramTop(counts: ArrayLike<number>, binWidth: number): number {
  for (let i = counts.length - 1; i >= 0; i--) if (counts[i] > 0) return (i + 1) * binWidth;
  return 0;
}

/** Throws when a histogram cannot be a histogram: a negative or non-finite count. */
export function checkStatistics(name: string, stats: TensorStatistics): void {
  const counts = stats?.counts;
  if (!counts || typeof counts.length !== 'number') {
    throw new CalibrationError(`tensor '${name}': its statistics have no histogram counts`, { tensor: name });
  }
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (!(c >= 0) || c === Infinity) {
      throw new CalibrationError(`tensor '${name}': histogram bin ${i} holds ${c}, not a count`, { tensor: name });
    }
  }
}

/**
 * Whether a histogram is usable: a positive, finite bin width and at least one non-zero count.
 * Calibrators fall back to min-max (or MIN_SCALE) for the others.
 */
export function hasHistogram(stats: TensorStatistics): boolean {
  return stats.binWidth > 0 && Number.isFinite(stats.binWidth) && histogramTotal(stats.counts) > 0;
}

/** threshold / 127 as a float32, or MIN_SCALE when the threshold is 0, negative or not finite. */
export function thresholdToScale(threshold: number): number {
  if (!(threshold > 0) || !Number.isFinite(threshold)) return MIN_SCALE;
  const scale = Math.fround(threshold / INT8_MAX);
  return scale > 0 && Number.isFinite(scale) ? scale : MIN_SCALE;
}
