import { EntropyCalibrator, MinMaxCalibrator, PercentileCalibrator, imageFolderBatches, type CalibratorOptions } from '@kiln/calibrator';
import type { Int8Calibrator, NetworkDefinition, Tensor } from '@kiln/core';
import { decodeImage, letterbox, toTensor } from '@kiln/preprocess';
import { CliError } from './errors.js';

export type CalibratorName = 'entropy' | 'minmax' | 'percentile';

export interface CalibrationFlags {
  /** Folder of calibration images. */
  calib?: string;
  /** Calibration cache: read when it exists, written after calibrating. */
  calibCache?: string;
  calibrator: CalibratorName;
  /** Use at most this many images (the first by name). */
  calibCount?: number;
}

/**
 * The INT8 calibrator for `kiln build --precision int8`: the network's image input gets each file
 * letterboxed to its size (as `kiln run` feeds images), scaled to [0, 1].
 */
export function createCalibrator(network: NetworkDefinition, flags: CalibrationFlags): Int8Calibrator {
  if (!flags.calib && !flags.calibCache) throw new CliError('--precision int8 needs calibration data: --calib <folder of images>, or --calib-cache <file> from an earlier build');
  const options: CalibratorOptions = { cacheFile: flags.calibCache };
  if (flags.calib) {
    const [input] = network.inputs;
    const [batch, channels, height, width] = input?.shape ?? [];
    if (network.inputs.length !== 1 || input!.shape.length !== 4 || channels !== 3 || typeof height !== 'number' || typeof width !== 'number') {
      throw new CliError(`--calib takes images, which need a model with one [N, 3, H, W] input of fixed height and width; this one has ${network.inputs.map((i) => `'${i.name}' [${i.shape.join(', ')}]`).join(', ')}`);
    }
    const load = async (file: string): Promise<Tensor> => toTensor(letterbox(await decodeImage(file), { size: [height, width], auto: false }).image);
    options.batches = imageFolderBatches({ folder: flags.calib, input: input!.name, load, limit: flags.calibCount, batchSize: typeof batch === 'number' ? batch : 1 });
  }
  if (flags.calibrator === 'minmax') return new MinMaxCalibrator(options);
  if (flags.calibrator === 'percentile') return new PercentileCalibrator(options);
  return new EntropyCalibrator(options);
}
