import { describe, expect, it } from 'vitest';
import { EntropyCalibrator, entropyBestBins, entropyDivergences, entropyThreshold, MIN_SCALE } from '../src/index.js';
import { gaussian, laplace, random, statisticsOf } from './helpers.js';
import { referenceEntropy } from './reference-entropy.js';

/** Checks the fast divergences against the literal reference, candidate by candidate. */
function expectSameAsReference(counts: Float64Array): { bins: number } {
  const fast = entropyDivergences(counts);
  const slow = referenceEntropy(counts);
  expect(fast.length).toBe(slow.divergences.length);
  for (let k = 0; k < fast.length; k++) {
    const [f, s] = [fast[k], slow.divergences[k]];
    if (s === Infinity) expect(f, `candidate ${k + 128}`).toBe(Infinity);
    else expect(Math.abs(f - s), `candidate ${k + 128}: ${f} vs ${s}`).toBeLessThanOrEqual(1e-10 + 1e-9 * s);
  }
  expect(entropyBestBins(counts)?.bins).toBe(slow.bins);
  return slow;
}

describe('EntropyCalibration2', () => {
  it('keeps the whole range of a uniform distribution', () => {
    const rand = random(1);
    const values = Float64Array.from({ length: 400_000 }, () => (rand() * 2 - 1) * 3);
    const stats = statisticsOf(values);
    const absmax = Math.max(-stats.min, stats.max);
    const { bins } = expectSameAsReference(stats.counts);
    expect(bins).toBeGreaterThan(2000);
    const threshold = entropyThreshold(stats);
    expect(threshold).toBeGreaterThan(0.98 * absmax);
    expect(threshold).toBeLessThanOrEqual(absmax + stats.binWidth);
  });

  it('is exactly (2048 + 0.5) bins for a flat histogram', () => {
    const counts = new Float64Array(2048).fill(1000);
    expect(entropyBestBins(counts)).toEqual({ bins: 2048, divergence: expect.closeTo(0, 12) });
    expect(entropyThreshold({ counts, binWidth: 0.01 })).toBeCloseTo(20.485, 10);
  });

  it('clips the long tail of a Laplacian with outliers', () => {
    const rand = random(2);
    const values: number[] = [];
    for (let k = 0; k < 300_000; k++) values.push(laplace(rand, 1));
    for (let k = 0; k < 30; k++) values.push((rand() < 0.5 ? -1 : 1) * (40 + 60 * rand())); // outliers up to 100
    const stats = statisticsOf(values);
    const absmax = Math.max(-stats.min, stats.max);
    const { bins } = expectSameAsReference(stats.counts);
    const threshold = entropyThreshold(stats);
    expect(threshold).toBeCloseTo((bins + 0.5) * stats.binWidth, 12);
    expect(absmax).toBeGreaterThan(60);
    // Laplace(b = 1): 99.9 % of |x| lie below 6.9; the outliers must not stretch the range.
    expect(threshold).toBeLessThan(0.25 * absmax);
    expect(threshold).toBeGreaterThan(3);
  });

  it('matches the reference on a Gaussian whose histogram grew past 2048 bins (i not a multiple of 128)', () => {
    const rand = random(3);
    const values: number[] = [];
    for (let k = 0; k < 200_000; k++) values.push(gaussian(rand));
    for (let k = 0; k < 10; k++) values.push(20 + 10 * rand());
    const stats = statisticsOf(values, 2333);
    const { bins } = expectSameAsReference(stats.counts);
    expect(bins % 128).not.toBe(0);
    const absmax = Math.max(-stats.min, stats.max);
    expect(entropyThreshold(stats)).toBeLessThan(0.4 * absmax);
  });

  it('matches the reference on sparse, spiky histograms', () => {
    const rand = random(4);
    for (const n of [128, 129, 200, 640, 1000]) {
      const counts = new Float64Array(n);
      for (let j = 0; j < n; j++) if (rand() < 0.3) counts[j] = Math.floor(rand() * 1000) + 1;
      counts[n - 1] = 1;
      counts[0] = 50_000;
      expectSameAsReference(counts);
    }
  });

  it('merges uneven levels the pytorch-quantization way (bin j into level ⌊128·j / i⌋)', () => {
    // 192 bins: level k holds bins ⌈1.5k⌉ … ⌈1.5(k+1)⌉−1, so levels alternate 2 and 1 bins.
    // With counts 3, 3, 1, 3, 1, 3, … the 2-bin levels {1,3} spread to {2,2}; the 1-bin levels are
    // exact (bin 0 equals bin 1, so the zero-spike rule leaves it as it is).
    const counts = new Float64Array(192);
    for (let j = 0; j < 192; j++) counts[j] = j % 2 === 0 && j > 0 ? 1 : 3;
    const divergences = entropyDivergences(counts);
    const total = counts.reduce((a, b) => a + b, 0);
    const p = Array.from(counts, (c) => c / total);
    let expected = 0;
    for (let k = 0; k < 128; k++) {
      const start = Math.ceil((k * 192) / 128);
      const end = Math.ceil(((k + 1) * 192) / 128);
      const mean = counts.slice(start, end).reduce((a, b) => a + b, 0) / (end - start);
      for (let j = start; j < end; j++) expected += p[j] * Math.log(p[j] / (mean / total));
    }
    expect(expected).toBeGreaterThan(0.01);
    expect(divergences[192 - 128]).toBeCloseTo(expected, 12);
  });

  it('does not let a spike of exact zeros (ReLU, padding) pull the threshold down', () => {
    const rand = random(31);
    const values = Float64Array.from({ length: 200_000 }, () => rand() * 4);
    const plain = statisticsOf(values);
    const withZeros = statisticsOf([...values, ...new Float64Array(600_000)]);
    expect(withZeros.binWidth).toBe(plain.binWidth);
    // Bin 0 counts as bin 1 either way: the 600,000 zeros change nothing, the whole range is kept.
    expect(entropyThreshold(withZeros)).toBe(entropyThreshold(plain));
    expect(entropyThreshold(withZeros)).toBeGreaterThan(0.98 * 4);
    expectSameAsReference(withZeros.counts);
  });

  it('rejects a candidate whose last kept bin is empty while outliers are folded into it', () => {
    const counts = new Float64Array(256).fill(10);
    counts[199] = 0; // i = 200: P[199] = the outliers, Q[199] = 0
    const divergences = entropyDivergences(counts);
    expect(divergences[200 - 128]).toBe(Infinity);
    expect(Number.isFinite(divergences[201 - 128])).toBe(true);
    expect(Number.isFinite(divergences[256 - 128])).toBe(true);
  });

  it('prefers the fewest bins among equal divergences (data ends below the histogram top)', () => {
    // Only bins 0..255 are filled: every i ≥ 256 loses nothing (KL 0); the tightest one wins.
    const counts = new Float64Array(2048);
    counts.fill(7, 0, 256);
    const best = entropyBestBins(counts);
    expect(best?.bins).toBe(256);
    expect(entropyThreshold({ counts, binWidth: 2 })).toBe(513);
    expect(referenceEntropy(counts).bins).toBe(256);
  });

  it('takes a one-sided tensor (SiLU-like: small negatives) over its positive values only', () => {
    const rand = random(23);
    // SiLU of a Gaussian pre-activation with rare large outliers: negatives confined to ≥ −0.28.
    const silu = (z: number) => z / (1 + Math.exp(-z));
    const values = Array.from({ length: 200_000 }, () => silu(-1 + 1.5 * gaussian(rand) + (rand() < 0.001 ? 10 * rand() : 0)));
    const stats = statisticsOf(values);
    const calibrator = new EntropyCalibrator({ batches: [] });
    const positiveOnly = entropyThreshold({ counts: stats.positiveCounts!, binWidth: stats.binWidth });
    expect(calibrator.computeThreshold(stats)).toBe(positiveOnly);
    // |x| folds the negatives onto the first bins, and KL then clips the positive tail far harder.
    expect(entropyThreshold(stats)).toBeLessThan(0.5 * positiveOnly);
  });

  it('keeps the |x| rule for symmetric tensors', () => {
    const rand = random(29);
    const stats = statisticsOf(Array.from({ length: 100_000 }, () => laplace(rand, 1)));
    expect(new EntropyCalibrator({ batches: [] }).computeThreshold(stats)).toBe(entropyThreshold(stats));
    const { positiveCounts: _, ...withoutSign } = stats;
    expect(new EntropyCalibrator({ batches: [] }).computeThreshold(withoutSign)).toBe(entropyThreshold(stats));
  });

  it('falls back to the histogram top below 128 bins', () => {
    const counts = new Float64Array(100);
    counts[10] = 5;
    counts[40] = 1;
    expect(entropyDivergences(counts).length).toBe(0);
    expect(entropyThreshold({ counts, binWidth: 0.5 })).toBe(20.5);
  });

  it('gives empty and all-zero tensors a small positive scale', () => {
    const calibrator = new EntropyCalibrator({ batches: [] });
    const scales = calibrator.computeScales(
      new Map([
        ['never-seen', { min: 0, max: 0, binWidth: 0, counts: new Float64Array(0) }],
        ['zeros', { min: 0, max: 0, binWidth: 0, counts: Float64Array.from([0, 0, 0]) }],
        ['all-in-bin-0', { min: 0, max: 0, binWidth: 0, counts: new Float64Array(2048).fill(0).fill(9, 0, 1) }],
        ['no-histogram', { min: -2.54, max: 1, binWidth: 0.001, counts: new Float64Array(2048) }],
      ]),
    );
    expect(scales.get('never-seen')).toBe(MIN_SCALE);
    expect(scales.get('zeros')).toBe(MIN_SCALE);
    expect(scales.get('all-in-bin-0')).toBe(MIN_SCALE);
    expect(scales.get('no-histogram')).toBe(Math.fround(2.54 / 127));
    for (const s of scales.values()) expect(s > 0 && Number.isFinite(s)).toBe(true);
  });

  it('turns thresholds into float32 scales threshold / 127', () => {
    const rand = random(5);
    const stats = statisticsOf(Float64Array.from({ length: 50_000 }, () => laplace(rand, 0.3)));
    const calibrator = new EntropyCalibrator({ batches: [] });
    const scale = calibrator.computeScales(new Map([['t', stats]])).get('t')!;
    expect(scale).toBe(Math.fround(entropyThreshold(stats) / 127));
    expect(calibrator.method).toBe('EntropyCalibration2');
    expect(calibrator.histogramBins).toBe(2048);
  });

  it('refuses histograms with negative or NaN counts, naming the tensor', () => {
    const calibrator = new EntropyCalibrator({ batches: [] });
    const counts = new Float64Array(300).fill(1);
    counts[17] = -1;
    expect(() => calibrator.computeScales(new Map([['conv1.out', { min: -1, max: 1, binWidth: 0.01, counts }]]))).toThrow(
      /tensor 'conv1.out': histogram bin 17 holds -1/,
    );
    counts[17] = Number.NaN;
    expect(() => calibrator.computeScales(new Map([['x', { min: -1, max: 1, binWidth: 0.01, counts }]]))).toThrow(/bin 17 holds NaN/);
  });
});
