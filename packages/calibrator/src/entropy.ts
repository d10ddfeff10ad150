import type { TensorStatistics } from '@kiln/core';

/** The number of quantized levels the histogram is merged into: |x| over 0..127. */
export const ENTROPY_LEVELS = 128;

/**
 * KL divergences below the best one plus this much are ties, so that rounding noise does not pick
 * the candidate; among ties the fewest bins (the tightest threshold) wins.
 */
const TIE_TOLERANCE = 1e-12;

/**
 * TensorRT's EntropyCalibration2 divergence of every candidate: element `i - 128` is KL(P‖Q) for
 * keeping the first `i` bins, i = 128 … counts.length.
 *
 * - P: bins 0 … i−1, everything above folded into bin i−1, normalised.
 * - Q: bins 0 … i−1 (not folded) merged into 128 levels, bin j into level ⌊128·j / i⌋ — so when
 *   i is not a multiple of 128 the levels hold ⌊i/128⌋ or ⌈i/128⌉ bins, spread evenly (as NVIDIA's
 *   pytorch-quantization `_compute_amax_entropy` does) — then expanded back: a level's count is
 *   shared equally by its non-empty bins, empty bins stay 0; normalised.
 * - A bin with P > 0 and Q = 0 (bin i−1 empty but outliers folded into it) makes KL infinite.
 * - Bin 0 first takes bin 1's count (pytorch-quantization's `bins[0] = bins[1]`): the exact zeros
 *   of ReLU outputs and padding pile up there, and that spike would otherwise decide every
 *   candidate's divergence and pull the threshold down towards 128 bins.
 *
 * Cost: O(n) prefix sums, O(n) logarithms per level width (n/128 widths), then O(128) per
 * candidate without allocating — KL over a level is Σ p ln p − ln q · Σ p, and both sums come
 * from prefix sums of c and c·ln c.
 */
export function entropyDivergences(histogram: ArrayLike<number>): Float64Array {
  const n = histogram.length;
  if (n < ENTROPY_LEVELS) return new Float64Array(0);
  const counts = Float64Array.from(histogram);
  counts[0] = counts[1];
  const sum = new Float64Array(n + 1); // Σ c over bins < j
  const nonEmpty = new Float64Array(n + 1); // bins < j with c > 0
  const cLogC = new Float64Array(n + 1); // Σ c·ln c over bins < j
  for (let j = 0; j < n; j++) {
    const c = counts[j];
    sum[j + 1] = sum[j] + c;
    nonEmpty[j + 1] = nonEmpty[j] + (c > 0 ? 1 : 0);
    cLogC[j + 1] = cLogC[j] + (c > 0 ? c * Math.log(c) : 0);
  }
  // Outliers above bin i−1, summed from the top so that a run of empty top bins is exactly 0.
  const tailFrom = new Float64Array(n + 1);
  for (let j = n - 1; j >= 0; j--) tailFrom[j] = tailFrom[j + 1] + counts[j];

  const total = tailFrom[0];
  const divergences = new Float64Array(n - ENTROPY_LEVELS + 1);
  if (!(total > 0)) return divergences.fill(Infinity);
  const logTotal = Math.log(total);

  // ln(mean count of the non-empty bins) of every window [s, s + width), NaN when all are empty.
  // A candidate's levels are ⌊i/128⌋ or ⌈i/128⌉ bins wide, so only two widths are live at a time:
  // one logarithm per bin and width instead of one per level and candidate.
  const windows: (Float64Array | undefined)[] = [];
  const logMeans = (width: number): Float64Array => {
    let w = windows[width];
    if (!w) {
      w = new Float64Array(n - width + 1);
      for (let s = 0; s + width <= n; s++) {
        const filled = nonEmpty[s + width] - nonEmpty[s];
        w[s] = filled > 0 ? Math.log((sum[s + width] - sum[s]) / filled) : Number.NaN;
      }
      windows[width] = w;
      windows[width - 2] = undefined; // no longer needed: widths only grow with i
    }
    return w;
  };

  for (let i = ENTROPY_LEVELS; i <= n; i++) {
    const kept = sum[i]; // Q's mass before normalising
    const last = counts[i - 1];
    const pLast = (last + tailFrom[i]) / total;
    if (!(kept > 0) || (pLast > 0 && last === 0)) {
      divergences[i - ENTROPY_LEVELS] = Infinity;
      continue;
    }
    const logKept = Math.log(kept);
    const narrow = i >> 7;
    const narrowLogMeans = logMeans(narrow);
    const wideLogMeans = i % ENTROPY_LEVELS === 0 ? narrowLogMeans : logMeans(narrow + 1);
    let kl = 0;
    let logQLast = 0;
    let start = 0;
    for (let k = 0; k < ENTROPY_LEVELS; k++) {
      // Level k holds bins j with ⌊128·j / i⌋ = k, i.e. ⌈k·i/128⌉ ≤ j < ⌈(k+1)·i/128⌉.
      const end = ((k + 1) * i + ENTROPY_LEVELS - 1) >> 7; // i ≤ 2^20 keeps this inside int32
      const logMean = (end - start === narrow ? narrowLogMeans : wideLogMeans)[start];
      if (logMean === logMean) {
        // Not NaN: the level has non-empty bins. ln of their normalised Q:
        const logQ = logMean - logKept;
        // Bin i−1 (always in the last level) carries the outliers: it is added below.
        const stop = k === ENTROPY_LEVELS - 1 ? i - 1 : end;
        const mass = sum[stop] - sum[start];
        if (mass > 0) kl += (cLogC[stop] - cLogC[start] - mass * (logTotal + logQ)) / total;
        if (k === ENTROPY_LEVELS - 1) logQLast = logQ;
      }
      start = end;
    }
    if (pLast > 0) kl += pLast * (Math.log(pLast) - logQLast);
    divergences[i - ENTROPY_LEVELS] = kl;
  }
  return divergences;
}

/** The number of bins EntropyCalibration2 keeps and its divergence, or undefined below 128 bins. */
export function entropyBestBins(counts: ArrayLike<number>): { bins: number; divergence: number } | undefined {
  const divergences = entropyDivergences(counts);
  if (divergences.length === 0) return undefined;
  let best = Infinity;
  for (const d of divergences) if (d < best) best = d;
  if (best === Infinity) return undefined;
  const limit = best + TIE_TOLERANCE;
  for (let k = 0; k < divergences.length; k++) {
    if (divergences[k] <= limit) return { bins: k + ENTROPY_LEVELS, divergence: divergences[k] };
  }
  return undefined;
}

/**
 * EntropyCalibration2's threshold for a histogram of |x|: (i + 0.5) × binWidth for the number of
 * kept bins i with the least KL divergence. Below 128 bins (or for an empty histogram) there is no
 * candidate and the result is the top of the highest non-empty bin.
 */
export function entropyThreshold(histogram: Pick<TensorStatistics, 'counts' | 'binWidth'>): number {
  const best = entropyBestBins(histogram.counts);
  if (best) return (best.bins + 0.5) * histogram.binWidth;
  const counts = histogram.counts;
  for (let j = counts.length - 1; j >= 0; j--) if (counts[j] > 0) return (j + 1) * histogram.binWidth;
  return 0;
}
