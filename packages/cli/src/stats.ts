export interface TensorStats {
  min: number;
  max: number;
  mean: number;
  std: number;
  /** NaN values, left out of the other figures. */
  nan: number;
  /** Infinite values (included in min and max, left out of mean and std). */
  inf: number;
}

export function tensorStats(values: ArrayLike<number>): TensorStats {
  let min = Infinity;
  let max = -Infinity;
  // Welford's running mean and squared deviations: no cancellation when the mean is large.
  let mean = 0;
  let squares = 0;
  let finite = 0;
  let nan = 0;
  let inf = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) {
      nan++;
      continue;
    }
    if (v < min) min = v;
    if (v > max) max = v;
    if (!Number.isFinite(v)) {
      inf++;
      continue;
    }
    finite++;
    const delta = v - mean;
    mean += delta / finite;
    squares += delta * (v - mean);
  }
  const seen = finite + inf > 0;
  return { min: seen ? min : NaN, max: seen ? max : NaN, mean: finite ? mean : NaN, std: finite ? Math.sqrt(squares / finite) : NaN, nan, inf };
}

export interface LatencyStats {
  count: number;
  min: number;
  mean: number;
  median: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

/** Linear interpolation between the closest ranks (NumPy's default percentile). */
function percentile(sorted: readonly number[], p: number): number {
  const position = (sorted.length - 1) * (p / 100);
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}

export function latencyStats(millis: readonly number[]): LatencyStats {
  if (!millis.length) throw new RangeError('no latencies to summarize');
  const sorted = [...millis].sort((a, b) => a - b);
  return {
    count: sorted.length,
    min: sorted[0],
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    median: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1],
  };
}
