import { ImageError } from './errors.js';

/** An 8-bit RGB image, rows top to bottom, pixels interleaved (HWC): `data[(y * width + x) * 3 + c]`. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Throws an ImageError unless `image` is a well-formed RgbImage; `what` names it in the message. */
export function assertRgbImage(image: unknown, what = 'image'): asserts image is RgbImage {
  const candidate = image as Partial<RgbImage> | null | undefined;
  if (candidate === null || typeof candidate !== 'object') {
    throw new ImageError('invalid-image', `${what} must be an RgbImage { data, width, height }`);
  }
  const { data, width, height } = candidate;
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width! < 1 || height! < 1) {
    throw new ImageError('invalid-image', `${what} has width ${width} and height ${height}; both must be positive integers`);
  }
  if (!(data instanceof Uint8Array)) {
    throw new ImageError('invalid-image', `${what}.data must be a Uint8Array of RGB bytes`);
  }
  const expected = width! * height! * 3;
  if (data.length !== expected) {
    throw new ImageError(
      'invalid-image',
      `${what} is ${width}×${height} RGB, which needs ${expected} bytes, but its data has ${data.length}`,
    );
  }
}
