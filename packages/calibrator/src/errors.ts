import { KilnError } from '@kiln/core';

/**
 * Calibration cannot go on (code `KILN_CALIBRATION`): a corrupt cache file, a batch that is not a
 * map of tensors, images that cannot be batched together, statistics that make no sense.
 */
export class CalibrationError extends KilnError {
  /** The tensor the problem is about, when there is one. */
  readonly tensor?: string;
  /** The file the problem is about (a cache file, an image), when there is one. */
  readonly file?: string;
  /** The 1-based line of a cache file, when the problem is in one. */
  readonly line?: number;
  constructor(message: string, options?: { tensor?: string; file?: string; line?: number; cause?: unknown }) {
    super('KILN_CALIBRATION', message, { cause: options?.cause });
    this.tensor = options?.tensor;
    this.file = options?.file;
    this.line = options?.line;
  }
}
