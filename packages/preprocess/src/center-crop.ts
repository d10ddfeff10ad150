import { assertRgbImage, type RgbImage } from './image.js';
import { roundHalfEven } from './round.js';

/** The first source row (or column) of a centred crop; negative where the crop pads the image. */
function cropStart(source: number, crop: number): number {
  // torchvision pads a too-small image by floor((crop − source) / 2) before, the rest after, then
  // crops at round((size − crop) / 2) with Python's round.
  return crop > source ? -Math.floor((crop - source) / 2) : roundHalfEven((source - crop) / 2);
}

/**
 * torchvision's `CenterCrop`: the `size` × `size` (or `[height, width]`) window at the image's
 * centre, its corner at `round((H − h) / 2)`, `round((W − w) / 2)` with Python's round-half-to-even.
 * Where the crop is larger than the image, the image is padded with black, as torchvision does.
 */
export function centerCrop(image: RgbImage, size: number | [number, number]): RgbImage {
  assertRgbImage(image);
  const [height, width] = typeof size === 'number' ? [size, size] : size;
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`centerCrop size must be positive integers, got ${width}×${height}`);
  }
  const top = cropStart(image.height, height);
  const left = cropStart(image.width, width);
  const data = new Uint8Array(width * height * 3);
  // The crop's columns that lie inside the image, and where they start in it.
  const firstColumn = Math.max(0, -left);
  const columns = Math.min(width, image.width - left) - firstColumn;
  for (let y = 0; y < height; y++) {
    const sy = top + y;
    if (sy < 0 || sy >= image.height || columns <= 0) continue;
    const from = (sy * image.width + left + firstColumn) * 3;
    data.set(image.data.subarray(from, from + columns * 3), (y * width + firstColumn) * 3);
  }
  return { data, width, height };
}
