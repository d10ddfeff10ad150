import { parseOptions } from '@kiln/core';
import { z } from 'zod';
import { assertRgbImage, type RgbImage } from './image.js';
import { resizeBilinearInto } from './resize-bilinear.js';
import { roundHalfEven } from './round.js';

const size = z.number().int().positive();
const channel = z.number().int().min(0).max(255);

const letterboxOptionsSchema = z
  .object({
    size: z.union([size, z.tuple([size, size])]).default(640),
    stride: size.default(32),
    auto: z.boolean().default(false),
    scaleFill: z.boolean().default(false),
    scaleUp: z.boolean().default(true),
    color: z.tuple([channel, channel, channel]).default([114, 114, 114]),
  })
  .strict();

export interface LetterboxOptions {
  /** Target size: one number for a square, or `[height, width]`. Default 640. */
  size?: number | [number, number];
  /** With `auto`, padding is only what it takes to reach a multiple of `stride`. Default 32. */
  stride?: number;
  /** Minimum rectangle: pad to a multiple of `stride` instead of to `size`. Default false. */
  auto?: boolean;
  /** Stretch to exactly `size` without padding (aspect ratio not kept). Default false. */
  scaleFill?: boolean;
  /** Allow enlarging images smaller than `size`. Default true. */
  scaleUp?: boolean;
  /** Padding colour, RGB. Default [114, 114, 114]. */
  color?: [number, number, number];
}

/** Where the original image went inside the letterboxed one; what `scaleBoxes` needs. */
export interface LetterboxInfo {
  /** Resize factors `[sx, sy]` (equal unless `scaleFill`). */
  scale: [number, number];
  /** Half the horizontal padding, as YOLOv5 returns it (may end in .5). */
  padX: number;
  /** Half the vertical padding, as YOLOv5 returns it (may end in .5). */
  padY: number;
}

export interface LetterboxResult extends LetterboxInfo {
  image: RgbImage;
  /** Padding in whole pixels on each side. */
  padding: { top: number; bottom: number; left: number; right: number };
}

/**
 * Resizes keeping the aspect ratio and pads to the target size, with the semantics of YOLOv5's
 * `letterbox` (utils/augmentations.py) and OpenCV's INTER_LINEAR resize.
 */
export function letterbox(image: RgbImage, options?: LetterboxOptions): LetterboxResult {
  assertRgbImage(image);
  const opts = parseOptions(letterboxOptionsSchema, options, 'letterbox options');
  const [newH, newW] = typeof opts.size === 'number' ? [opts.size, opts.size] : opts.size;
  const { width: w, height: h } = image;

  let r = Math.min(newH / h, newW / w);
  if (!opts.scaleUp) r = Math.min(r, 1);
  let scale: [number, number] = [r, r];
  // YOLOv5 would hand cv2.resize a zero size for extreme aspect ratios; keep at least one pixel.
  let unpadW = Math.max(1, roundHalfEven(w * r));
  let unpadH = Math.max(1, roundHalfEven(h * r));
  let dw = newW - unpadW;
  let dh = newH - unpadH;
  if (opts.auto) {
    dw %= opts.stride;
    dh %= opts.stride;
  } else if (opts.scaleFill) {
    dw = 0;
    dh = 0;
    unpadW = newW;
    unpadH = newH;
    scale = [newW / w, newH / h];
  }
  dw /= 2;
  dh /= 2;

  const padding = {
    top: roundHalfEven(dh - 0.1),
    bottom: roundHalfEven(dh + 0.1),
    left: roundHalfEven(dw - 0.1),
    right: roundHalfEven(dw + 0.1),
  };
  const outW = unpadW + padding.left + padding.right;
  const outH = unpadH + padding.top + padding.bottom;
  const data = new Uint8Array(outW * outH * 3);
  fillColor(data, opts.color);

  const rowStride = outW * 3;
  const offset = padding.top * rowStride + padding.left * 3;
  if (unpadW === w && unpadH === h) {
    const srcRow = w * 3;
    for (let y = 0; y < h; y++) data.set(image.data.subarray(y * srcRow, (y + 1) * srcRow), offset + y * rowStride);
  } else {
    resizeBilinearInto(image, data, unpadW, unpadH, offset, rowStride);
  }
  return { image: { data, width: outW, height: outH }, scale, padX: dw, padY: dh, padding };
}

function fillColor(data: Uint8Array, [r, g, b]: [number, number, number]): void {
  if (r === g && g === b) {
    data.fill(r);
    return;
  }
  for (let i = 0; i < data.length; i += 3) {
    data[i] = r;
    data[i + 1] = g;
    data[i + 2] = b;
  }
}
