import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CalibrationBatch, Tensor } from '@kiln/core';
import { OptionsError } from '@kiln/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CalibrationError,
  EntropyCalibrator,
  MinMaxCalibrator,
  batchesFrom,
  imageFolderBatches,
  listImageFiles,
} from '../src/index.js';
import { tempDir } from './helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

/** A temporary folder holding these (empty) files. */
function folderWith(names: string[]): string {
  const { dir, remove } = tempDir();
  cleanups.push(remove);
  for (const name of names) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), '');
  }
  return dir;
}

/** A [1, 2, 2] float32 tensor whose values are the file's number (img007.png → 7, 7, 7, 7). */
function syntheticLoad(shapes: Record<string, number[]> = {}) {
  const loaded: string[] = [];
  const load = async (file: string): Promise<Tensor> => {
    loaded.push(path.basename(file));
    const n = Number(/(\d+)/.exec(path.basename(file))![1]);
    const shape = shapes[path.basename(file)] ?? [1, 2, 2];
    return { dtype: 'float32', shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(n) };
  };
  return { load, loaded };
}

async function collect(batches: AsyncIterable<CalibrationBatch>): Promise<CalibrationBatch[]> {
  const out: CalibrationBatch[] = [];
  for await (const b of batches) out.push(b);
  return out;
}

const names = (n: number, ext = '.png') => Array.from({ length: n }, (_, k) => `img${String(k).padStart(3, '0')}${ext}`);

describe('imageFolderBatches', () => {
  it('lists image files sorted by name, case-insensitive extensions, no hidden files or subfolders', () => {
    const dir = folderWith(['b.JPG', 'a.png', 'c.webp', 'notes.txt', '.hidden.jpg', 'sub/d.jpg', 'e.bmp', 'f.jpeg']);
    expect(listImageFiles(dir).map((f) => path.basename(f))).toEqual(['a.png', 'b.JPG', 'c.webp', 'e.bmp', 'f.jpeg']);
    expect(listImageFiles(dir, { extensions: ['txt', '.PNG'] }).map((f) => path.basename(f))).toEqual(['a.png', 'notes.txt']);
    expect(listImageFiles(dir)[0]).toBe(path.join(dir, 'a.png'));
  });

  it('concatenates batchSize tensors along axis 0, keeping a smaller last batch', async () => {
    const dir = folderWith(names(5));
    const { load } = syntheticLoad();
    const batches = imageFolderBatches({ folder: dir, input: 'images', load, batchSize: 2 });
    expect(batches.count).toBe(3);
    expect(batches.files.map((f) => path.basename(f))).toEqual(names(5));
    const got = await collect(batches);
    expect(got.map((b) => b.images.shape)).toEqual([
      [2, 2, 2],
      [2, 2, 2],
      [1, 2, 2],
    ]);
    expect(Array.from(got[1].images.data as Float32Array)).toEqual([2, 2, 2, 2, 3, 3, 3, 3]);
    expect(Object.keys(got[0])).toEqual(['images']);
    // Iterating again reloads the same batches.
    expect((await collect(batches)).length).toBe(3);
  });

  it('splits one folder into calibration and evaluation sets with limit and skip', async () => {
    const dir = folderWith(names(10, '.jpg'));
    const { load } = syntheticLoad();
    const calib = imageFolderBatches({ folder: dir, input: 'x', load, limit: 6 });
    const evaluation = imageFolderBatches({ folder: dir, input: 'x', load, skip: 6 });
    expect(calib.count).toBe(6);
    expect(evaluation.count).toBe(4);
    expect([...calib.files, ...evaluation.files]).toEqual(listImageFiles(dir));
    const middle = imageFolderBatches({ folder: dir, input: 'x', load, skip: 2, limit: 3 });
    expect((await collect(middle)).map((b) => (b.x.data as Float32Array)[0])).toEqual([2, 3, 4]);
    const dropped = imageFolderBatches({ folder: dir, input: 'x', load, batchSize: 4, dropLast: true });
    expect(dropped.count).toBe(2);
    expect(dropped.files.length).toBe(8);
  });

  it('refuses tensors whose shapes differ after the first dimension, naming the file and both shapes', async () => {
    const dir = folderWith(names(4));
    const { load } = syntheticLoad({ 'img002.png': [1, 2, 3] });
    const batches = imageFolderBatches({ folder: dir, input: 'images', load, batchSize: 4 });
    const error = await collect(batches).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CalibrationError);
    const message = (error as Error).message;
    expect(message).toContain(path.join(dir, 'img002.png'));
    expect(message).toContain('[1, 2, 3]');
    expect(message).toContain(`'${path.join(dir, 'img000.png')}' as [1, 2, 2]`);
    // A different first dimension is fine.
    const { load: load2 } = syntheticLoad({ 'img001.png': [3, 2, 2] });
    const [batch] = await collect(imageFolderBatches({ folder: dir, input: 'images', load: load2, batchSize: 4 }));
    expect(batch.images.shape).toEqual([6, 2, 2]);
  });

  it('names the file whose load fails or returns no tensor', async () => {
    const dir = folderWith(names(2));
    const failing = imageFolderBatches({
      folder: dir,
      input: 'images',
      load: async (file) => {
        throw new Error(`cannot decode ${path.basename(file)}`);
      },
    });
    await expect(collect(failing)).rejects.toThrow(`loading '${path.join(dir, 'img000.png')}' failed: cannot decode img000.png`);
    const wrong = imageFolderBatches({ folder: dir, input: 'images', load: async () => ({ dtype: 'float32', shape: [1, 3], data: new Float32Array(2) }) });
    await expect(collect(wrong)).rejects.toThrow(/img000\.png' has shape \[1, 3\] \(3 elements\) but 2 values/);
  });

  it('throws for a missing or empty folder, or a skip past its end, naming the folder', () => {
    const { load } = syntheticLoad();
    const empty = folderWith(['readme.txt']);
    expect(() => imageFolderBatches({ folder: empty, input: 'images', load })).toThrow(`image folder '${empty}' holds no images`);
    const missing = path.join(empty, 'nope');
    expect(() => imageFolderBatches({ folder: missing, input: 'images', load })).toThrow(`image folder '${missing}' does not exist`);
    const file = path.join(empty, 'readme.txt');
    expect(() => listImageFiles(file)).toThrow(`image folder '${file}' is not a folder`);
    const two = folderWith(names(2));
    expect(() => imageFolderBatches({ folder: two, input: 'images', load, skip: 2 })).toThrow(/has 2 images: skip 2 leaves none/);
    expect(() => imageFolderBatches({ folder: two, input: 'images', load, batchSize: 3, dropLast: true })).toThrow(/fewer than one batch of 3/);
  });

  it('validates its options', () => {
    const dir = folderWith(names(1));
    const { load } = syntheticLoad();
    expect(() => imageFolderBatches({ folder: dir, input: 'images', load, batchSize: 0 })).toThrow(OptionsError);
    expect(() => imageFolderBatches({ folder: dir, input: '', load })).toThrow(/input/);
    expect(() => imageFolderBatches({ folder: dir, input: 'images', load: 'nope' as never })).toThrow(/load/);
  });
});

describe('calibrator batches', () => {
  const tensor = (v: number): Tensor => ({ dtype: 'float32', shape: [1, 2], data: new Float32Array([v, -v]) });

  it('takes arrays, async generator functions and image folders, with their counts', async () => {
    const fromArray = new EntropyCalibrator({ batches: [{ x: tensor(1) }, { x: tensor(2) }] });
    expect(fromArray.batchCount).toBe(2);
    expect((await collect(fromArray.batches())).length).toBe(2);
    expect((await collect(fromArray.batches())).length).toBe(2);

    const fromFunction = new MinMaxCalibrator({
      batches: async function* () {
        for (let k = 0; k < 3; k++) yield { x: tensor(k) };
      },
      batchCount: 3,
    });
    expect(fromFunction.batchCount).toBe(3);
    expect((await collect(fromFunction.batches())).map((b) => (b.x.data as Float32Array)[0])).toEqual([0, 1, 2]);
    expect((await collect(fromFunction.batches())).length).toBe(3);

    const dir = folderWith(names(3));
    const { load } = syntheticLoad();
    const fromFolder = new EntropyCalibrator({ batches: imageFolderBatches({ folder: dir, input: 'images', load, batchSize: 2 }) });
    expect(fromFolder.batchCount).toBe(2);
    expect((await collect(fromFolder.batches())).map((b) => b.images.shape[0])).toEqual([2, 1]);
  });

  it('reads a generator object once and says so when asked again', async () => {
    function* gen() {
      yield { x: tensor(1) };
    }
    const calibrator = new EntropyCalibrator({ batches: gen() });
    expect(calibrator.batchCount).toBeUndefined();
    expect((await collect(calibrator.batches())).length).toBe(1);
    await expect(collect(calibrator.batches())).rejects.toThrow(/already been read; pass a function/);
  });

  it('checks every batch, naming its index and input', async () => {
    const bad = batchesFrom([{ x: tensor(1) }, { x: { dtype: 'float32', shape: [2, 2], data: new Float32Array(3) } } as never]);
    await expect(collect(bad)).rejects.toThrow("calibration batch 1, input 'x' has shape [2, 2] (4 elements) but 3 values");
    await expect(collect(batchesFrom([{}]))).rejects.toThrow('calibration batch 0 holds no tensors');
    await expect(collect(batchesFrom([[tensor(1)]] as never))).rejects.toThrow('calibration batch 0 is not an object');
    await expect(collect(batchesFrom([{ x: { dtype: 'float64', shape: [1], data: new Float64Array(1) } }] as never))).rejects.toThrow(
      /input 'x' has dtype "float64"/,
    );
  });

  it('validates the options', () => {
    expect(() => new EntropyCalibrator({})).toThrow(/batches: give batches, a cacheFile, or both/);
    expect(() => new EntropyCalibrator({ batches: 42 as never })).toThrow(OptionsError);
    expect(() => new EntropyCalibrator({ batches: 'abc' as never })).toThrow(/batches/);
    expect(() => new EntropyCalibrator({ batches: [], histogramBins: 64 })).toThrow(/histogramBins/);
    expect(new MinMaxCalibrator({ batches: [], histogramBins: 64 }).histogramBins).toBe(64);
    expect(() => new EntropyCalibrator({ batches: [], bins: 10 } as never)).toThrow(/bins/);
    expect(new EntropyCalibrator({ batches: [], histogramBins: 4096 }).histogramBins).toBe(4096);
  });

  it('without batches, explains that the cache is missing', () => {
    const calibrator = new EntropyCalibrator({ cacheFile: '/nonexistent/x.cache' });
    expect(calibrator.batchCount).toBeUndefined();
    expect(() => calibrator.batches()).toThrow("calibration cache '/nonexistent/x.cache' was not found and no calibration batches were given");
  });
});
