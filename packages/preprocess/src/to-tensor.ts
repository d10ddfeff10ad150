import { createTensor, parseOptions, type Tensor } from '@kiln/core';
import { z } from 'zod';
import { ImageError } from './errors.js';
import { toFloat16Bits } from './float16.js';
import { assertRgbImage, type RgbImage } from './image.js';

const perChannel = z.array(z.number().finite()).refine((v) => v.length === 1 || v.length === 3, {
  message: 'give one value for all channels or three, one per channel',
});

const toTensorOptionsSchema = z
  .object({
    channelOrder: z.enum(['rgb', 'bgr']).default('rgb'),
    scale: z.number().finite().default(1 / 255),
    mean: perChannel.default([0]),
    std: perChannel.refine((v) => v.every((x) => x !== 0), { message: 'std must not be 0' }).default([1]),
    dtype: z.enum(['float32', 'float16']).default('float32'),
    layout: z.enum(['nchw', 'nhwc']).default('nchw'),
  })
  .strict();

export interface ToTensorOptions {
  /** Channel order of the tensor. Default 'rgb' (what YOLOv5 and torchvision models expect). */
  channelOrder?: 'rgb' | 'bgr';
  /** Multiplies each byte first. Default 1/255. */
  scale?: number;
  /** Subtracted after scaling; per channel in the tensor's channel order, or one value. Default [0]. */
  mean?: number[];
  /** Divides after subtracting the mean; per channel in the tensor's channel order, or one value. Default [1]. */
  std?: number[];
  /** 'float32', or 'float16' as Uint16Array bits rounded to nearest even. Default 'float32'. */
  dtype?: 'float32' | 'float16';
  /** 'nchw' (planar, the ONNX convention) or 'nhwc'. Default 'nchw'. */
  layout?: 'nchw' | 'nhwc';
}

/**
 * Stacks images into one batch tensor, each value `(byte · scale − mean) / std`.
 * Shape `[N, 3, H, W]` for 'nchw' or `[N, H, W, 3]` for 'nhwc'; all images must be the same size.
 */
export function toTensor(images: RgbImage | RgbImage[], options?: ToTensorOptions): Tensor<'float32' | 'float16'> {
  const opts = parseOptions(toTensorOptionsSchema, options, 'toTensor options');
  const batch = Array.isArray(images) ? images : [images];
  if (batch.length === 0) throw new ImageError('invalid-image', 'toTensor needs at least one image');
  batch.forEach((image, i) => assertRgbImage(image, `image ${i}`));
  const { width, height } = batch[0];
  const other = batch.findIndex((image) => image.width !== width || image.height !== height);
  if (other >= 0) {
    throw new ImageError(
      'size-mismatch',
      `images in a batch must all be the same size: image 0 is ${width}×${height} but image ${other} is ` +
        `${batch[other].width}×${batch[other].height} (letterbox them to one size first)`,
    );
  }

  // Output channel c reads source channel sourceOf[c]; each byte maps through its channel's table.
  const sourceOf = opts.channelOrder === 'rgb' ? [0, 1, 2] : [2, 1, 0];
  const tables = [0, 1, 2].map((c) => channelTable(opts, c));
  const plane = width * height;
  const shape = opts.layout === 'nchw' ? [batch.length, 3, height, width] : [batch.length, height, width, 3];
  const out = opts.dtype === 'float32' ? new Float32Array(batch.length * plane * 3) : new Uint16Array(batch.length * plane * 3);

  batch.forEach(({ data }, n) => {
    const base = n * plane * 3;
    if (opts.layout === 'nchw') fillPlanar(data, tables, sourceOf, out, base, plane);
    else fillInterleaved(data, tables, sourceOf, out, base, plane);
  });
  return opts.dtype === 'float32'
    ? createTensor('float32', shape, out as Float32Array)
    : createTensor('float16', shape, out as Uint16Array);
}

type Table = Float32Array | Uint16Array;

/** One pass over the pixels, each channel to its own plane. */
function fillPlanar(data: Uint8Array, tables: Table[], sourceOf: number[], out: Table, base: number, plane: number): void {
  const [t0, t1, t2] = tables;
  const [s0, s1, s2] = sourceOf;
  for (let p = 0, i = 0; p < plane; p++, i += 3) {
    out[base + p] = t0[data[i + s0]];
    out[base + plane + p] = t1[data[i + s1]];
    out[base + 2 * plane + p] = t2[data[i + s2]];
  }
}

function fillInterleaved(data: Uint8Array, tables: Table[], sourceOf: number[], out: Table, base: number, plane: number): void {
  const [t0, t1, t2] = tables;
  const [s0, s1, s2] = sourceOf;
  for (let i = 0; i < plane * 3; i += 3) {
    out[base + i] = t0[data[i + s0]];
    out[base + i + 1] = t1[data[i + s1]];
    out[base + i + 2] = t2[data[i + s2]];
  }
}

function channelTable(
  opts: { scale: number; mean: number[]; std: number[]; dtype: 'float32' | 'float16' },
  channel: number,
): Table {
  const mean = opts.mean.length === 1 ? opts.mean[0] : opts.mean[channel];
  const std = opts.std.length === 1 ? opts.std[0] : opts.std[channel];
  const table = opts.dtype === 'float32' ? new Float32Array(256) : new Uint16Array(256);
  for (let v = 0; v < 256; v++) {
    const x = (v * opts.scale - mean) / std;
    table[v] = opts.dtype === 'float32' ? x : toFloat16Bits(x);
  }
  return table;
}
