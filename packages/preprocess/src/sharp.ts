import type { Sharp, SharpOptions } from 'sharp';
import { ImageError } from './errors.js';

type SharpFactory = (input?: Buffer | Uint8Array | string, options?: SharpOptions) => Sharp;

let loading: Promise<SharpFactory> | undefined;

/** sharp, loaded on first use so that postprocessing alone never loads the native image library. */
export function loadSharp(): Promise<SharpFactory> {
  loading ??= import('sharp').then(
    (module) => ((module as { default?: SharpFactory }).default ?? (module as unknown as SharpFactory)),
    (error: unknown) => {
      loading = undefined;
      throw new ImageError(
        'unreadable',
        `cannot load sharp, the image library @kiln/preprocess decodes and draws with: ${(error as Error).message}`,
        { cause: error },
      );
    },
  );
  return loading;
}
