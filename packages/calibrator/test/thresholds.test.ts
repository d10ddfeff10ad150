import { OptionsError } from '@kiln/core';
import { describe, expect, it } from 'vitest';
import { MIN_SCALE, MinMaxCalibrator, PercentileCalibrator, minMaxThreshold, percentileThreshold } from '../src/index.js';
import { random, statisticsOf } from './helpers.js';

describe('MinMaxCalibrator', () => {
  it('uses max(|min|, |max|)', () => {
    const calibrator = new MinMaxCalibrator({ batches: [] });
    expect(calibrator.method).toBe('MinMax');
    const counts = new Float64Array(2048).fill(1);
    const scales = calibrator.computeScales(
      new Map([
        ['neg', { min: -6.35, max: 2, binWidth: 0.01, counts }],
        ['pos', { min: -0.28, max: 12.7, binWidth: 0.01, counts }],
      ]),
    );
    expect(scales.get('neg')).toBe(Math.fround(6.35 / 127));
    expect(scales.get('pos')).toBe(Math.fround(0.1));
  });

  it('falls back to the histogram top without min/max, and to MIN_SCALE without either', () => {
    const counts = new Float64Array(100);
    counts[41] = 3;
    expect(minMaxThreshold({ min: Number.NaN, max: Number.NaN, binWidth: 0.5, counts })).toBe(21);
    const calibrator = new MinMaxCalibrator({ batches: [] });
    const scales = calibrator.computeScales(new Map([['zero', { min: 0, max: 0, binWidth: 0, counts: new Float64Array(2048) }]]));
    expect(scales.get('zero')).toBe(MIN_SCALE);
  });
});

describe('PercentileCalibrator', () => {
  it('interpolates inside the bin that crosses the percentile', () => {
    // 10 bins of width 1, 100 counts each: 99 % of 1000 = 990 lies 90 % into bin 9 → 9.9.
    const counts = new Float64Array(10).fill(100);
    const stats = { min: -10, max: 10, binWidth: 1, counts };
    expect(percentileThreshold(stats, 99)).toBeCloseTo(9.9, 12);
    expect(percentileThreshold(stats, 50)).toBeCloseTo(5, 12);
    expect(percentileThreshold(stats, 12.5)).toBeCloseTo(1.25, 12);
    expect(percentileThreshold(stats, 100)).toBeCloseTo(10, 12);
  });

  it('skips empty bins and never goes above the largest |x|', () => {
    const counts = new Float64Array(8);
    counts[0] = 50;
    counts[6] = 50; // 60 % of 100 = 60 → 10 into bin 6's 50 → 6.2 bins
    expect(percentileThreshold({ min: 0, max: 8, binWidth: 1, counts }, 60)).toBeCloseTo(6.2, 12);
    expect(percentileThreshold({ min: 0, max: 6.5, binWidth: 1, counts }, 100)).toBe(6.5);
  });

  it('defaults to 99.99 % and lands between the bulk and the outliers', () => {
    const rand = random(11);
    const values: number[] = [];
    for (let k = 0; k < 1_000_000; k++) values.push(rand() * 2 - 1); // uniform in [-1, 1]
    for (let k = 0; k < 50; k++) values.push(100); // 0.005 % outliers at 100
    const stats = statisticsOf(values);
    const calibrator = new PercentileCalibrator({ batches: [] });
    expect(calibrator.percentile).toBe(99.99);
    expect(calibrator.method).toBe('Percentile');
    const scale = calibrator.computeScales(new Map([['t', stats]])).get('t')!;
    // 99.99 % of |x| lie below ~1 (0.01 % of the uniform part is above 0.9999... minus the outliers).
    expect(scale * 127).toBeGreaterThan(0.99);
    expect(scale * 127).toBeLessThan(1.1);
    const tight = new PercentileCalibrator({ batches: [], percentile: 50 });
    expect(tight.computeScales(new Map([['t', stats]])).get('t')! * 127).toBeCloseTo(0.5, 2);
  });

  it('refuses a percentile outside (0, 100] and unknown options', () => {
    expect(() => new PercentileCalibrator({ batches: [], percentile: 0 })).toThrow(OptionsError);
    expect(() => new PercentileCalibrator({ batches: [], percentile: 100.5 })).toThrow(/percentile/);
    expect(() => new MinMaxCalibrator({ batches: [], percentile: 99 } as never)).toThrow(OptionsError);
  });
});
