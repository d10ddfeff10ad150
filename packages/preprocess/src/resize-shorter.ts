import { assertRgbImage, type RgbImage } from './image.js';
import { resizeBilinear } from './resize-bilinear.js';

/**
 * torchvision's `Resize(size)` with one number: the shorter side becomes `size` and the longer
 * `int(size · long / short)`, keeping the aspect ratio; an image whose shorter side already is
 * `size` is returned as it is. The resize is `resizeBilinear` (OpenCV's INTER_LINEAR). torchvision
 * resizes PIL images with antialiasing when it shrinks them, so its pixel values differ a little;
 * the sizes are the same.
 */
export function resizeShorter(image: RgbImage, size: number): RgbImage {
  assertRgbImage(image);
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`resizeShorter size must be a positive integer, got ${size}`);
  const { width, height } = image;
  if (Math.min(width, height) === size) return image;
  const long = Math.max(1, Math.floor((size * Math.max(width, height)) / Math.min(width, height)));
  return width <= height ? resizeBilinear(image, size, long) : resizeBilinear(image, long, size);
}
