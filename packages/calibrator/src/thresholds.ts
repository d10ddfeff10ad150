import type { TensorStatistics } from '@kiln/core';
import { absMax, histogramTop } from './histogram.js';

/**
 * Min-max: the largest |x| seen, max(|min|, |max|). When min/max are missing (0 or not finite),
 * the top of the highest non-empty histogram bin.
 */
export function minMaxThreshold(stats: TensorStatistics): number {
  const m = absMax(stats);
  if (m > 0) return m;
  return stats.binWidth > 0 && Number.isFinite(stats.binWidth) ? histogramTop(stats.counts, stats.binWidth) : 0;
}

/**
 * Percentile: the |x| below which `percentile` % of the histogram's counts lie, interpolated
 * linearly inside the bin that crosses it (values spread evenly over a bin), and never above the
 * largest |x| seen. 0 for an empty histogram.
 */
export function percentileThreshold(stats: TensorStatistics, percentile: number): number {
  const { counts, binWidth } = stats;
  let total = 0;
  for (let j = 0; j < counts.length; j++) total += counts[j];
  if (!(total > 0) || !(binWidth > 0)) return 0;
  const target = (total * percentile) / 100;
  let below = 0;
  let threshold = histogramTop(counts, binWidth);
  for (let j = 0; j < counts.length; j++) {
    const c = counts[j];
    if (c > 0 && below + c >= target) {
      threshold = (j + Math.min(1, Math.max(0, (target - below) / c))) * binWidth;
      break;
    }
    below += c;
  }
  const m = absMax(stats);
  return m > 0 ? Math.min(threshold, m) : threshold;
}
