import { assertRgbImage, type RgbImage } from './image.js';
import { roundHalfEven } from './round.js';

const COEF_BITS = 11;
const COEF_SCALE = 1 << COEF_BITS;

/** Source offsets and fixed-point weights for one axis: out[i] = w0·in[i0] + w1·in[i1]. */
interface AxisTaps {
  index0: Int32Array;
  index1: Int32Array;
  weight0: Int32Array;
  weight1: Int32Array;
}

/**
 * Taps the way OpenCV's INTER_LINEAR computes them for 8-bit images: half-pixel centres, the
 * position rounded to float32, weights quantized to 11 bits with round-half-even, and positions
 * outside the source clamped to the edge pixel. OpenCV zeroes the fractional weight of a clamped
 * column but not of a clamped row (both taps then read the edge row, and each product is
 * truncated on its own), so `clampWeight` is set for columns only.
 */
function axisTaps(srcSize: number, dstSize: number, clampWeight: boolean): AxisTaps {
  const taps: AxisTaps = {
    index0: new Int32Array(dstSize),
    index1: new Int32Array(dstSize),
    weight0: new Int32Array(dstSize),
    weight1: new Int32Array(dstSize),
  };
  // OpenCV takes the reciprocal of dst/src rather than src/dst; the last bit can differ.
  const scale = 1 / (dstSize / srcSize);
  for (let d = 0; d < dstSize; d++) {
    const position = Math.fround((d + 0.5) * scale - 0.5);
    const s = Math.floor(position);
    let frac = Math.fround(position - s);
    if (clampWeight && (s < 0 || s >= srcSize - 1)) frac = 0;
    taps.index0[d] = Math.min(Math.max(s, 0), srcSize - 1);
    taps.index1[d] = Math.min(Math.max(s + 1, 0), srcSize - 1);
    taps.weight0[d] = roundHalfEven(Math.fround(1 - frac) * COEF_SCALE);
    taps.weight1[d] = roundHalfEven(frac * COEF_SCALE);
  }
  return taps;
}

/**
 * Resizes an RGB image with bilinear interpolation that reproduces OpenCV's
 * `cv2.resize(..., interpolation=cv2.INTER_LINEAR)` on 8-bit images.
 */
export function resizeBilinear(image: RgbImage, width: number, height: number): RgbImage {
  assertRgbImage(image);
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`resize target must be positive integers, got ${width}×${height}`);
  }
  const data = new Uint8Array(width * height * 3);
  resizeBilinearInto(image, data, width, height, 0, width * 3);
  return { data, width, height };
}

/**
 * Writes the resized image into `dst` starting at byte `dstOffset`, rows `dstRowStride` bytes
 * apart, so a caller can resize straight into the middle of a padded canvas.
 */
export function resizeBilinearInto(
  src: RgbImage,
  dst: Uint8Array,
  dstWidth: number,
  dstHeight: number,
  dstOffset: number,
  dstRowStride: number,
): void {
  const channels = 3;
  const srcRowStride = src.width * channels;
  const rowLength = dstWidth * channels;
  const xt = axisTaps(src.width, dstWidth, true);
  const yt = axisTaps(src.height, dstHeight, false);

  // Per output pixel: the byte offsets of both source pixels within a row.
  const x0 = new Int32Array(dstWidth);
  const x1 = new Int32Array(dstWidth);
  for (let dx = 0; dx < dstWidth; dx++) {
    x0[dx] = xt.index0[dx] * channels;
    x1[dx] = xt.index1[dx] * channels;
  }

  // Horizontally resized source rows, kept while consecutive output rows share them.
  let rowA = new Int32Array(rowLength);
  let rowB = new Int32Array(rowLength);
  let rowAIndex = -1;
  let rowBIndex = -1;
  const taps = { x0, x1, a0: xt.weight0, a1: xt.weight1 };
  const horizontal = (sy: number, out: Int32Array) => horizontalPass(src.data, sy * srcRowStride, taps, out);

  for (let dy = 0; dy < dstHeight; dy++) {
    const sy0 = yt.index0[dy];
    const sy1 = yt.index1[dy];
    if (rowAIndex !== sy0) {
      if (rowBIndex === sy0) {
        const t = rowA;
        rowA = rowB;
        rowB = t;
        rowBIndex = rowAIndex;
        rowAIndex = sy0;
      } else {
        horizontal(sy0, rowA);
        rowAIndex = sy0;
      }
    }
    if (rowBIndex !== sy1) {
      horizontal(sy1, rowB);
      rowBIndex = sy1;
    }
    verticalPass(rowA, rowB, yt.weight0[dy], yt.weight1[dy], dst, dstOffset + dy * dstRowStride);
  }
}

// The two passes are top-level functions so that V8 optimizes each loop once for all calls.
function horizontalPass(
  s: Uint8Array,
  base: number,
  { x0, x1, a0, a1 }: { x0: Int32Array; x1: Int32Array; a0: Int32Array; a1: Int32Array },
  out: Int32Array,
): void {
  for (let d = 0, k = 0; d < x0.length; d++, k += 3) {
    const i = base + x0[d];
    const j = base + x1[d];
    const w0 = a0[d];
    const w1 = a1[d];
    out[k] = s[i] * w0 + s[j] * w1;
    out[k + 1] = s[i + 1] * w0 + s[j + 1] * w1;
    out[k + 2] = s[i + 2] * w0 + s[j + 2] * w1;
  }
}

function verticalPass(rowA: Int32Array, rowB: Int32Array, b0: number, b1: number, dst: Uint8Array, out: number): void {
  // OpenCV's SIMD vertical pass: drop 4 bits, keep the high 16 bits of each 16×16 product, then
  // round off the last 2 bits. Its results differ from exact rounding by at most 1.
  for (let k = 0; k < rowA.length; k++) {
    const v = ((((rowA[k] >> 4) * b0) >> 16) + (((rowB[k] >> 4) * b1) >> 16) + 2) >> 2;
    dst[out + k] = v > 255 ? 255 : v;
  }
}
