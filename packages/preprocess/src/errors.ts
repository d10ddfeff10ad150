import { KilnError } from '@kiln/core';

/** Why an image was refused; lets callers react without parsing the message. */
export type ImageErrorReason =
  | 'not-found'
  | 'unreadable'
  | 'not-an-image'
  | 'unsupported-format'
  | 'corrupt'
  | 'too-large'
  | 'invalid-image'
  | 'size-mismatch';

/** An image that cannot be read, decoded or used (code `KILN_IMAGE`). */
export class ImageError extends KilnError {
  readonly reason: ImageErrorReason;
  readonly path?: string;
  constructor(reason: ImageErrorReason, message: string, options?: { path?: string; cause?: unknown }) {
    super('KILN_IMAGE', message, { cause: options?.cause });
    this.reason = reason;
    this.path = options?.path;
  }
}

/** A model output, detection list or class-name table that cannot be postprocessed (code `KILN_POSTPROCESS`). */
export class PostprocessError extends KilnError {
  constructor(message: string) {
    super('KILN_POSTPROCESS', message);
  }
}
