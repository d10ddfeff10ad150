import type { Tensor } from '../tensor.js';

/**
 * What the native core observed of one float tensor while the FP32 engine ran the calibration
 * batches: its extremes and a histogram of |x|. Bin i counts values with |x| in
 * [i·binWidth, (i+1)·binWidth); the bin width is fixed by the first batch's largest |x| over
 * `initialBins` bins, and bins are appended as larger values appear.
 */
export interface TensorStatistics {
  min: number;
  max: number;
  binWidth: number;
  counts: Float64Array;
  /** The part of `counts` that came from positive values (same bins). */
  positiveCounts?: Float64Array;
}

/** One calibration batch: a tensor for every input of the network. */
export type CalibrationBatch = Record<string, Tensor>;

/**
 * Supplies calibration data and turns what the engine observed into per-tensor INT8 scales
 * (`threshold / 127`, TensorRT's convention). `@kiln/calibrator` implements entropy, min-max and
 * percentile calibrators and the cache file.
 */
export interface Int8Calibrator {
  /** Names the method in logs and cache headers, e.g. 'EntropyCalibration2'. */
  readonly method: string;
  /** Histogram bins over the first batch's range (2048 by default). */
  readonly histogramBins?: number;
  /** Scales from an earlier calibration (a cache), or undefined when calibration must run. */
  readCache?(): Promise<ReadonlyMap<string, number> | undefined>;
  /** The calibration batches. */
  batches(): AsyncIterable<CalibrationBatch>;
  /** How many batches `batches()` yields, when known (for progress). */
  readonly batchCount?: number;
  /** Per observed tensor: its scale. Tensors left out stay FP32. */
  computeScales(statistics: ReadonlyMap<string, TensorStatistics>): Map<string, number>;
  /** Stores the scales of a finished calibration (a cache). */
  writeCache?(scales: ReadonlyMap<string, number>): Promise<void>;
}
