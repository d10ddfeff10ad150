import { readFile } from 'node:fs/promises';
import { parseOptions } from '@kiln/core';
import { z } from 'zod';
import { ImageError } from './errors.js';
import type { RgbImage } from './image.js';
import { loadSharp } from './sharp.js';

const decodeOptionsSchema = z
  .object({
    maxPixels: z.number().int().positive().default(100_000_000),
    colorManagement: z.boolean().default(false),
  })
  .strict();

export interface DecodeOptions {
  /** Refuse images with more pixels than this (width × height). Default 100,000,000. */
  maxPixels?: number;
  /**
   * Convert images with an embedded ICC profile to sRGB. Default false: the profile is ignored and
   * the stored values are returned, as OpenCV's `imread` does, which is what YOLO-style models were
   * trained on.
   */
  colorManagement?: boolean;
}

// Raster formats as sharp's metadata names them (AVIF reports 'heif'); vector and document
// formats are refused, since rendering them from untrusted input is a different risk.
const FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff', 'heif', 'avif']);

/**
 * Decodes a JPEG, PNG or WebP image (GIF, TIFF and AVIF too) from a file path or its bytes to
 * 8-bit RGB, with the EXIF orientation applied. Grayscale is expanded to RGB; an alpha channel is
 * dropped without compositing (as OpenCV's `imread` does).
 */
export async function decodeImage(source: string | Uint8Array, options?: DecodeOptions): Promise<RgbImage> {
  const { maxPixels, colorManagement } = parseOptions(decodeOptionsSchema, options, 'decodeImage options');
  const path = typeof source === 'string' ? source : undefined;
  const what = path === undefined ? 'the image data' : `image '${path}'`;
  const bytes = path === undefined ? checkBytes(source) : await readImageFile(path);
  const sharp = await loadSharp();

  let metadata: { format?: string; width?: number; height?: number };
  try {
    metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new ImageError('not-an-image', `${what} is not an image (or is too damaged to recognise)`, { path, cause: error });
  }
  const { format = 'unknown', width = 0, height = 0 } = metadata;
  if (!FORMATS.has(format)) {
    throw new ImageError('unsupported-format', `${what} is ${format}, not a raster image format Kiln decodes (JPEG, PNG, WebP)`, { path });
  }
  if (width * height > maxPixels) {
    throw new ImageError(
      'too-large',
      `${what} is ${width}×${height} (${(width * height / 1e6).toFixed(1)} megapixels), above the limit of ` +
        `${maxPixels} pixels; pass a larger maxPixels to decode it`,
      { path },
    );
  }

  try {
    const { data, info } = await sharp(bytes, {
      autoOrient: true,
      failOn: 'truncated',
      limitInputPixels: maxPixels,
      ignoreIcc: !colorManagement,
    })
      .removeAlpha()
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
  } catch (error) {
    throw new ImageError('corrupt', `${what} could not be decoded: its ${format} data is corrupt or truncated`, {
      path,
      cause: error,
    });
  }
}

function checkBytes(source: unknown): Uint8Array {
  if (!(source instanceof Uint8Array)) {
    throw new ImageError('invalid-image', 'decodeImage takes a file path or the image bytes as a Uint8Array');
  }
  if (source.length === 0) throw new ImageError('not-an-image', 'the image data is empty');
  return Buffer.from(source.buffer, source.byteOffset, source.byteLength);
}

async function readImageFile(path: string): Promise<Uint8Array> {
  try {
    const bytes = await readFile(path);
    if (bytes.length === 0) throw new ImageError('not-an-image', `image '${path}' is an empty file`, { path });
    return bytes;
  } catch (error) {
    if (error instanceof ImageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ImageError('not-found', `image file not found: '${path}'`, { path, cause: error });
    const reason = code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'is not readable (permission denied)' : `cannot be read (${code ?? (error as Error).message})`;
    throw new ImageError('unreadable', `image file '${path}' ${reason}`, { path, cause: error });
  }
}
