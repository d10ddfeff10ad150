export {
  EntropyCalibrator,
  HistogramCalibrator,
  MinMaxCalibrator,
  PercentileCalibrator,
  createCalibrator,
} from './calibrators.js';
export type { CalibrationMethod, CalibratorOptions, PercentileCalibratorOptions } from './calibrators.js';
export { entropyThreshold, entropyDivergences, entropyBestBins, ENTROPY_LEVELS } from './entropy.js';
export { minMaxThreshold, percentileThreshold } from './thresholds.js';
export { INT8_MAX, MIN_SCALE, thresholdToScale } from './histogram.js';
export {
  formatCalibrationCache,
  parseCalibrationCache,
  readCalibrationCache,
  writeCalibrationCache,
  scaleToHex,
  hexToScale,
} from './cache.js';
export type { CalibrationCache, CalibrationCacheHeader, ScaleTable } from './cache.js';
export { batchesFrom } from './batches.js';
export type { BatchSource, CalibrationBatches } from './batches.js';
export { imageFolderBatches, listImageFiles, IMAGE_EXTENSIONS } from './image-folder.js';
export type { ImageFolderBatches, ImageFolderBatchesOptions } from './image-folder.js';
export { CalibrationError } from './errors.js';
