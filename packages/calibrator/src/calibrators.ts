import { parseOptions } from '@kiln/core';
import type { CalibrationBatch, Int8Calibrator, TensorStatistics } from '@kiln/core';
import { z } from 'zod';
import { batchesFrom, isBatchSource, type BatchSource, type CalibrationBatches } from './batches.js';
import { readCalibrationCache, writeCalibrationCache } from './cache.js';
import { entropyThreshold } from './entropy.js';
import { CalibrationError } from './errors.js';
import { checkStatistics, hasHistogram, histogramTotal, thresholdToScale } from './histogram.js';
import { minMaxThreshold, percentileThreshold } from './thresholds.js';

/** The methods, as named in cache headers and logs (TensorRT's names). */
export type CalibrationMethod = 'EntropyCalibration2' | 'MinMax' | 'Percentile';

/** Options every calibrator takes. */
export interface CalibratorOptions {
  /**
   * The calibration batches: an array, an iterable or async iterable (`imageFolderBatches(...)`),
   * or a function returning a fresh one. May be left out when `cacheFile` exists: the scales then
   * come from the cache and no batch is needed.
   */
  batches?: BatchSource;
  /** How many batches there are, for progress; taken from the source when it knows (arrays, image folders). */
  batchCount?: number;
  /** A calibration cache: read before calibrating (used instead when it exists), written after. */
  cacheFile?: string;
  /** Histogram bins over the first batch's |x| range (2048 by default, at least 128 for entropy). */
  histogramBins?: number;
}

/** Options of `PercentileCalibrator`. */
export interface PercentileCalibratorOptions extends CalibratorOptions {
  /** The percentage of |x| values kept inside the range, in (0, 100] (99.99 by default). */
  percentile?: number;
}

const MAX_BINS = 1 << 20;

function baseSchema(minBins: number) {
  return z.strictObject({
    batches: z
      .custom<BatchSource>(isBatchSource, { message: 'expected an iterable or async iterable of batches, or a function returning one' })
      .optional(),
    batchCount: z.number().int().min(0).optional(),
    cacheFile: z.string().min(1).optional(),
    histogramBins: z.number().int().min(minBins).max(MAX_BINS).default(2048),
  });
}

const needsData = (o: { batches?: unknown; cacheFile?: unknown }) => o.batches !== undefined || o.cacheFile !== undefined;
const needsDataMessage = { message: 'give batches, a cacheFile, or both', path: ['batches'] };

const entropySchema = baseSchema(128).refine(needsData, needsDataMessage);
const minMaxSchema = baseSchema(1).refine(needsData, needsDataMessage);
const percentileSchema = baseSchema(1)
  .extend({ percentile: z.number().gt(0).lte(100).default(99.99) })
  .refine(needsData, needsDataMessage);

/** Validated options, as the subclasses hand them to HistogramCalibrator. */
interface ParsedCalibratorOptions {
  batches?: BatchSource;
  batchCount?: number;
  cacheFile?: string;
  histogramBins: number;
}

/**
 * What the three calibrators share: the batches, the cache, and turning statistics into scales
 * (`threshold / 127` as float32). A tensor whose histogram is empty or all zero gets min-max's
 * threshold, or `MIN_SCALE` when that is 0 too — never 0 or NaN.
 */
export abstract class HistogramCalibrator implements Int8Calibrator {
  abstract readonly method: CalibrationMethod;
  readonly histogramBins: number;
  readonly batchCount?: number;
  readonly cacheFile?: string;
  readonly #batches?: CalibrationBatches;

  protected constructor(options: ParsedCalibratorOptions) {
    this.histogramBins = options.histogramBins;
    this.cacheFile = options.cacheFile;
    if (options.batches !== undefined) this.#batches = batchesFrom(options.batches);
    this.batchCount = options.batchCount ?? this.#batches?.count;
  }

  /** The calibration batches, checked as they are read. */
  batches(): AsyncIterable<CalibrationBatch> {
    if (!this.#batches) {
      const where = this.cacheFile ? `calibration cache '${this.cacheFile}' was not found and ` : '';
      throw new CalibrationError(`${this.method}: ${where}no calibration batches were given`);
    }
    return this.#batches;
  }

  /** The cached scales, or undefined when there is no cache file or it does not exist yet. */
  async readCache(): Promise<ReadonlyMap<string, number> | undefined> {
    if (!this.cacheFile) return undefined;
    return (await readCalibrationCache(this.cacheFile))?.scales;
  }

  /** Writes the scales to the cache file (creating its folder); nothing without one. */
  async writeCache(scales: ReadonlyMap<string, number>): Promise<void> {
    if (!this.cacheFile) return;
    await writeCalibrationCache(this.cacheFile, this.method, scales);
  }

  /** A scale (float32, > 0) per tensor of `statistics`, in its order. */
  computeScales(statistics: ReadonlyMap<string, TensorStatistics>): Map<string, number> {
    const scales = new Map<string, number>();
    for (const [name, stats] of statistics) {
      checkStatistics(name, stats);
      const threshold = hasHistogram(stats) ? this.computeThreshold(stats) : minMaxThreshold(stats);
      scales.set(name, thresholdToScale(threshold));
    }
    return scales;
  }

  /** The |x| this method maps to 127, for a tensor with a non-empty histogram. */
  abstract computeThreshold(stats: TensorStatistics): number;
}

/**
 * TensorRT's EntropyCalibration2: per tensor, the clipping threshold whose 128-level quantization
 * of the histogram loses the least information (KL divergence). See `entropyThreshold`.
 *
 * TensorRT quantizes activations symmetrically and takes the histogram of |x|. Kiln's activations
 * are asymmetric u8 over [lower bound, threshold]: a SiLU or ReLU output's few small negatives sit
 * below the zero point, and only the positive side is clipped. For such a one-sided tensor (no
 * value below −threshold) the divergence is taken over the positive values alone, the values the
 * threshold actually clips; folding the negatives into |x| piles them onto the first bins and makes
 * KL clip the positive tail far too hard (on YOLOv5n: detection F1 against FP32 0.62 → 0.93).
 * Symmetric tensors keep TensorRT's rule.
 */
export class EntropyCalibrator extends HistogramCalibrator {
  readonly method = 'EntropyCalibration2' as const;
  constructor(options: CalibratorOptions) {
    super(parseOptions(entropySchema, options, 'EntropyCalibrator options'));
  }
  computeThreshold(stats: TensorStatistics): number {
    if (stats.positiveCounts && histogramTotal(stats.positiveCounts) > 0) {
      const positive = entropyThreshold({ counts: stats.positiveCounts, binWidth: stats.binWidth });
      if (-stats.min <= positive) return positive;
    }
    return entropyThreshold(stats);
  }
}

/** Min-max: the threshold is the largest |x| seen, max(|min|, |max|). No clipping. */
export class MinMaxCalibrator extends HistogramCalibrator {
  readonly method = 'MinMax' as const;
  constructor(options: CalibratorOptions) {
    super(parseOptions(minMaxSchema, options, 'MinMaxCalibrator options'));
  }
  computeThreshold(stats: TensorStatistics): number {
    return minMaxThreshold(stats);
  }
}

/** Percentile: the threshold is the |x| below which `percentile` % of the values lie. */
export class PercentileCalibrator extends HistogramCalibrator {
  readonly method = 'Percentile' as const;
  readonly percentile: number;
  constructor(options: PercentileCalibratorOptions) {
    const o = parseOptions(percentileSchema, options, 'PercentileCalibrator options');
    super(o);
    this.percentile = o.percentile;
  }
  computeThreshold(stats: TensorStatistics): number {
    return percentileThreshold(stats, this.percentile);
  }
}

/** A calibrator by method name (for a CLI flag, a config file). */
export function createCalibrator(method: 'EntropyCalibration2' | 'MinMax', options: CalibratorOptions): HistogramCalibrator;
export function createCalibrator(method: 'Percentile', options: PercentileCalibratorOptions): PercentileCalibrator;
export function createCalibrator(method: CalibrationMethod, options: PercentileCalibratorOptions): HistogramCalibrator;
export function createCalibrator(method: CalibrationMethod, options: PercentileCalibratorOptions): HistogramCalibrator {
  switch (method) {
    case 'EntropyCalibration2':
      return new EntropyCalibrator(options);
    case 'MinMax':
      return new MinMaxCalibrator(options);
    case 'Percentile':
      return new PercentileCalibrator(options);
    default:
      throw new CalibrationError(`unknown calibration method '${String(method)}' (EntropyCalibration2, MinMax or Percentile)`);
  }
}
