import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseOptions } from '@kiln/core';
import type { CalibrationBatch, Tensor } from '@kiln/core';
import { z } from 'zod';
import { checkTensor, type CalibrationBatches } from './batches.js';
import { CalibrationError } from './errors.js';

/** The image extensions `listImageFiles` and `imageFolderBatches` pick by default. */
export const IMAGE_EXTENSIONS: readonly string[] = ['.jpg', '.jpeg', '.png', '.webp', '.bmp'];

const extensionsSchema = z
  .array(z.string().min(1))
  .min(1)
  .transform((list) => list.map((e) => (e.startsWith('.') ? e : `.${e}`).toLowerCase()));

const listSchema = z.strictObject({ extensions: extensionsSchema.default([...IMAGE_EXTENSIONS]) });

/**
 * The image files directly inside `folder` (not its subfolders), as paths joined onto `folder`,
 * sorted by name (code-unit order, the same on every machine). A file counts when its extension,
 * compared case-insensitively, is one of `extensions` (with or without the dot); hidden files
 * (names starting with '.') are left out. Throws a CalibrationError naming the folder when it is
 * missing, not a folder, or holds no such file.
 */
export function listImageFiles(folder: string, options?: { extensions?: readonly string[] }): string[] {
  const { extensions } = parseOptions(listSchema, options, 'listImageFiles options');
  return listFiles(folder, extensions);
}

function listFiles(folder: string, extensions: readonly string[]): string[] {
  if (typeof folder !== 'string' || folder === '') throw new CalibrationError('image folder: expected a path');
  let entries;
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'ENOTDIR' ? 'is not a folder' : `cannot be read (${(error as Error).message})`;
    throw new CalibrationError(`image folder '${folder}' ${why}`, { file: folder, cause: error });
  }
  const wanted = new Set(extensions);
  const names = entries
    .filter((entry) => !entry.name.startsWith('.') && wanted.has(path.extname(entry.name).toLowerCase()))
    .filter((entry) => entry.isFile() || (entry.isSymbolicLink() && isFile(path.join(folder, entry.name))))
    .map((entry) => entry.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (names.length === 0) {
    throw new CalibrationError(`image folder '${folder}' holds no images (looked for ${[...wanted].join(', ')})`, { file: folder });
  }
  return names.map((name) => path.join(folder, name));
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Options of `imageFolderBatches`. */
export interface ImageFolderBatchesOptions {
  /** The folder the images are in (not searched recursively). */
  folder: string;
  /** The network input the batches feed, e.g. 'images'. */
  input: string;
  /**
   * Turns one image file into a tensor with a leading batch dimension, e.g. [1, 3, 640, 640]
   * (decode, letterbox and normalise exactly as at inference time).
   */
  load: (file: string) => Promise<Tensor> | Tensor;
  /** Images per batch, concatenated along axis 0 (1 by default). */
  batchSize?: number;
  /** Files skipped at the start of the sorted list (0 by default). */
  skip?: number;
  /** The most files used after `skip` (all by default). */
  limit?: number;
  /** Extensions that count as images (case-insensitive; `IMAGE_EXTENSIONS` by default). */
  extensions?: readonly string[];
  /** Leave out a last batch with fewer than `batchSize` images (false by default: it is kept, smaller). */
  dropLast?: boolean;
}

/** The batches of an image folder, re-iterable, with the files they are made of. */
export interface ImageFolderBatches extends CalibrationBatches {
  /** The number of batches one iteration yields. */
  readonly count: number;
  /** The files the batches are made of, in order (after skip, limit and dropLast). */
  readonly files: readonly string[];
}

const imageFolderSchema = z.strictObject({
  folder: z.string().min(1),
  input: z.string().min(1),
  load: z.custom<(file: string) => Promise<Tensor> | Tensor>((v) => typeof v === 'function', { message: 'expected a function (file) => tensor' }),
  batchSize: z.number().int().min(1).default(1),
  skip: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).optional(),
  extensions: extensionsSchema.default([...IMAGE_EXTENSIONS]),
  dropLast: z.boolean().default(false),
});

/**
 * Calibration batches from the images of a folder: `{ [input]: tensor }` per batch, `batchSize`
 * loaded images concatenated along axis 0. Files are taken in sorted order; `skip` and `limit`
 * select a contiguous range, so the same folder can be split into a calibration and an evaluation
 * set (`{ limit: 200 }` and `{ skip: 200 }`). The folder is listed now — a missing or empty folder,
 * or a `skip` past its end, throws a CalibrationError naming it — and images are loaded as the
 * batches are read (the images of one batch concurrently). Iterating again reloads them.
 */
export function imageFolderBatches(options: ImageFolderBatchesOptions): ImageFolderBatches {
  const o = parseOptions(imageFolderSchema, options, 'imageFolderBatches options');
  const all = listFiles(o.folder, o.extensions);
  let files = all.slice(o.skip, o.limit === undefined ? undefined : o.skip + o.limit);
  if (files.length === 0) {
    throw new CalibrationError(`image folder '${o.folder}' has ${all.length} images: skip ${o.skip} leaves none`, { file: o.folder });
  }
  if (o.dropLast) {
    files = files.slice(0, files.length - (files.length % o.batchSize));
    if (files.length === 0) {
      throw new CalibrationError(
        `image folder '${o.folder}': ${all.length} images, skip ${o.skip}${o.limit === undefined ? '' : `, limit ${o.limit}`} leave fewer than one batch of ${o.batchSize} (dropLast)`,
        { file: o.folder },
      );
    }
  }
  const count = Math.ceil(files.length / o.batchSize);
  const load = async (file: string): Promise<Tensor> => {
    let tensor: Tensor;
    try {
      tensor = await o.load(file);
    } catch (error) {
      throw new CalibrationError(`loading '${file}' failed: ${(error as Error)?.message ?? String(error)}`, { file, cause: error });
    }
    checkTensor(tensor, `the tensor loaded from '${file}'`);
    return tensor;
  };
  return {
    count,
    files: Object.freeze([...files]),
    [Symbol.asyncIterator]: async function* () {
      for (let b = 0; b < count; b++) {
        const group = files.slice(b * o.batchSize, (b + 1) * o.batchSize);
        const tensors = await Promise.all(group.map(load));
        const batch: CalibrationBatch = { [o.input]: concatBatch(tensors, group) };
        yield batch;
      }
    } as () => AsyncGenerator<CalibrationBatch>,
  };
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Tensors concatenated along axis 0; `files[k]` names where `tensors[k]` came from in errors. All
 * must share the dtype and every dimension after the first.
 */
export function concatBatch(tensors: readonly Tensor[], files: readonly string[]): Tensor {
  const first = tensors[0];
  if (!first) throw new CalibrationError('cannot make a batch of no tensors');
  if (first.shape.length === 0) {
    throw new CalibrationError(`the tensor loaded from '${files[0]}' is a scalar; it needs a batch dimension to be batched`, { file: files[0] });
  }
  if (tensors.length === 1) return first;
  const rest = first.shape.slice(1);
  let rows = 0;
  let length = 0;
  tensors.forEach((t, k) => {
    if (t.dtype !== first.dtype) {
      throw new CalibrationError(`'${files[k]}' loads as a ${t.dtype} tensor but '${files[0]}' as ${first.dtype}`, { file: files[k] });
    }
    if (t.shape.length !== first.shape.length || t.shape.some((d, i) => i > 0 && d !== first.shape[i])) {
      throw new CalibrationError(
        `'${files[k]}' loads as shape ${shapeText(t.shape)} but '${files[0]}' as ${shapeText(first.shape)}: ` +
          `the tensors of a batch must match after the first dimension (${shapeText(rest)})`,
        { file: files[k] },
      );
    }
    rows += t.shape[0];
    length += t.data.length;
  });
  const Ctor = first.data.constructor as new (n: number) => Tensor['data'];
  const data = new Ctor(length);
  let offset = 0;
  for (const t of tensors) {
    (data as { set(a: ArrayLike<unknown>, o: number): void }).set(t.data as ArrayLike<unknown>, offset);
    offset += t.data.length;
  }
  return { dtype: first.dtype, shape: [rows, ...rest], data } as Tensor;
}
