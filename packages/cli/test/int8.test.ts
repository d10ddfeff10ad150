import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGE, MODEL, SHARED, kiln, oneErrorLine } from './helpers.js';

let dir: string;
let calib: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kiln-cli-int8-'));
  calib = path.join(dir, 'calib');
  await mkdir(calib);
  const images = (await readdir(path.join(SHARED, 'images/calib'))).sort().slice(0, 3);
  for (const name of images) await copyFile(path.join(SHARED, 'images/calib', name), path.join(calib, name));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('kiln build --precision int8', () => {
  it('calibrates on a folder of images, writes the cache, and the engine runs', async () => {
    const engine = path.join(dir, 'int8.kiln');
    const cache = path.join(dir, 'yolov5n.calib');
    const built = await kiln('build', MODEL, '-o', engine, '--precision', 'int8', '--calib', calib, '--calib-cache', cache, '--calibrator', 'minmax', '--no-timing', '--threads', '2');
    expect(built.code).toBe(0);
    expect(built.stdout).toMatch(/^built .*int8\.kiln in [\d.]+ s \(\w+, 2 threads, int8\)/);
    expect(built.stdout).toMatch(/^ {2}QConv +0 +57$/m);
    const lines = (await readFile(cache, 'utf8')).trim().split('\n');
    expect(lines[0]).toMatch(/^Kiln-[\d.]+-MinMax$/);
    expect(lines).toContain(lines.find((l) => /^images: [0-9a-f]{8}$/.test(l)));

    const ran = await kiln('run', engine, '--input', IMAGE, '--json');
    expect(ran.code).toBe(0);
    expect(JSON.parse(ran.stdout).outputs[0]).toMatchObject({ name: 'output', shape: [1, 25200, 85] });
  });

  it('builds from the cache alone', async () => {
    const cache = path.join(dir, 'only.calib');
    await kiln('build', MODEL, '-o', path.join(dir, 'a.kiln'), '--precision', 'int8', '--calib', calib, '--calib-count', '1', '--calib-cache', cache, '--no-timing');
    const again = await kiln('build', MODEL, '-o', path.join(dir, 'b.kiln'), '--precision', 'int8', '--calib-cache', cache, '--no-timing');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('int8)');
  });

  it('refuses INT8 without calibration data, and calibration flags without INT8', async () => {
    const none = await kiln('build', MODEL, '-o', path.join(dir, 'x.kiln'), '--precision', 'int8');
    expect(none.code).toBe(1);
    expect(oneErrorLine(none)).toMatch(/--calib <folder of images>.*--calib-cache/);
    const fp32 = await kiln('build', MODEL, '-o', path.join(dir, 'x.kiln'), '--calib', calib);
    expect(fp32.code).toBe(1);
    expect(oneErrorLine(fp32)).toContain('only apply with --precision int8');
  });

  it('takes a known input range with --dynamic-range instead of a calibrated one', async () => {
    const cache = path.join(dir, 'ranged.calib');
    await kiln('build', MODEL, '-o', path.join(dir, 'a.kiln'), '--precision', 'int8', '--calib', calib, '--calib-count', '1', '--calib-cache', cache, '--no-timing');
    const withoutInput = (await readFile(cache, 'utf8')).split('\n').filter((line) => !line.startsWith('images:'));
    await writeFile(cache, withoutInput.join('\n'));
    const missing = await kiln('build', MODEL, '-o', path.join(dir, 'x.kiln'), '--precision', 'int8', '--calib-cache', cache, '--no-timing');
    expect(missing.code).toBe(1);
    expect(oneErrorLine(missing)).toContain("'images'");
    const ranged = await kiln('build', MODEL, '-o', path.join(dir, 'r.kiln'), '--precision', 'int8', '--calib-cache', cache, '--dynamic-range', 'images=0:1', '--no-timing');
    expect(ranged.code).toBe(0);
    const unknown = await kiln('build', MODEL, '-o', path.join(dir, 'x.kiln'), '--precision', 'int8', '--calib-cache', cache, '--dynamic-range', 'imgs=0:1', '--no-timing');
    expect(unknown.code).toBe(1);
    expect(oneErrorLine(unknown)).toContain("dynamicRanges names 'imgs'");
    const malformed = await kiln('build', MODEL, '-o', path.join(dir, 'x.kiln'), '--precision', 'int8', '--calib-cache', cache, '--dynamic-range', 'images=1:0');
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toContain('expected name=min:max');
  });

  it('names an empty image folder and a corrupt cache line', async () => {
    const empty = path.join(dir, 'empty');
    await mkdir(empty);
    const noImages = await kiln('build', MODEL, '-o', path.join(dir, 'x.kiln'), '--precision', 'int8', '--calib', empty);
    expect(noImages.code).toBe(1);
    expect(oneErrorLine(noImages)).toContain(empty);

    const corrupt = path.join(dir, 'corrupt.calib');
    await writeFile(corrupt, 'Kiln-0.1.0-EntropyCalibration2\nimages: 3c23d70a\n/model.0/conv/Conv_output_0 nothex\n');
    const bad = await kiln('build', MODEL, '-o', path.join(dir, 'x.kiln'), '--precision', 'int8', '--calib-cache', corrupt);
    expect(bad.code).toBe(1);
    expect(oneErrorLine(bad)).toMatch(/line 3/);
  });
});
