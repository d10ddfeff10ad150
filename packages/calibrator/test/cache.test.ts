import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { KILN_VERSION } from '@kiln/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CalibrationError,
  EntropyCalibrator,
  MinMaxCalibrator,
  formatCalibrationCache,
  hexToScale,
  parseCalibrationCache,
  scaleToHex,
} from '../src/index.js';
import { tempDir } from './helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

function tmp(): string {
  const { dir, remove } = tempDir();
  cleanups.push(remove);
  return dir;
}

describe('calibration cache format', () => {
  it("writes TensorRT's layout: header, then the float32 bits of each scale in big-endian hex", () => {
    const text = formatCalibrationCache('EntropyCalibration2', new Map([['images', 1 / 255 / 127], ['x', 1], ['y', 0.5]]));
    expect(text).toBe(`Kiln-${KILN_VERSION}-EntropyCalibration2\nimages: ${scaleToHex(1 / 255 / 127)}\nx: 3f800000\ny: 3f000000\n`);
    expect(scaleToHex(2)).toBe('40000000');
    expect(scaleToHex(-2)).toBe('c0000000');
    expect(scaleToHex(2 ** -149)).toBe('00000001');
    // sign 0, exponent 0x78 − 127 = −7, mantissa 0x010a14
    expect(hexToScale('3c010a14')).toBe((1 + 0x010a14 / 2 ** 23) * 2 ** -7);
    expect(scaleToHex((1 + 0x010a14 / 2 ** 23) * 2 ** -7)).toBe('3c010a14');
    expect(hexToScale('3C010A14')).toBe(hexToScale('3c010a14'));
  });

  it('round-trips scales bit for bit, names with ":" and spaces included, in order', () => {
    const scales = new Map<string, number>([
      ['/model.0/conv/Conv_output_0', Math.fround(0.0123456789)],
      ['onnx::Concat_376', Math.fround(3.4e-5)],
      ['a:b:c: d', Math.fround(1e-30)],
      ['name with spaces ', Math.fround(2 ** -126 * 1.5)],
      ['x', Math.fround(123456.78)],
    ]);
    const parsed = parseCalibrationCache(formatCalibrationCache('MinMax', scales));
    expect(parsed.header).toEqual({ kilnVersion: KILN_VERSION, method: 'MinMax' });
    expect([...parsed.scales.keys()]).toEqual([...scales.keys()]);
    for (const [name, scale] of scales) expect(Object.is(parsed.scales.get(name), scale), name).toBe(true);
  });

  it('stores float64 scales as float32, and takes a plain object too', () => {
    const parsed = parseCalibrationCache(formatCalibrationCache('Percentile', { t: 0.1 }));
    expect(parsed.scales.get('t')).toBe(Math.fround(0.1));
    expect(parsed.scales.get('t')).not.toBe(0.1);
  });

  it('reads versions with dashes, CRLF line ends and blank lines', () => {
    const parsed = parseCalibrationCache('Kiln-1.2.0-rc.1-EntropyCalibration2\r\na: 3f800000\r\n\r\nb:3f000000\r\n');
    expect(parsed.header).toEqual({ kilnVersion: '1.2.0-rc.1', method: 'EntropyCalibration2' });
    expect([...parsed.scales]).toEqual([
      ['a', 1],
      ['b', 0.5],
    ]);
  });

  it('names the line number and the line of a corrupt entry', () => {
    const header = `Kiln-${KILN_VERSION}-MinMax`;
    const bad = [
      ['a: 3f800000\nb 3f000000', 3, 'b 3f000000'],
      ['a: 3f80000', 2, 'a: 3f80000'],
      ['a: 3f8000000', 2, 'a: 3f8000000'],
      ['a: zzzzzzzz', 2, 'a: zzzzzzzz'],
      [': 3f800000', 2, ': 3f800000'],
      ['a: 7fc00000', 2, 'a: 7fc00000'], // NaN
      ['a: bf800000', 2, 'a: bf800000'], // −1
      ['a: 3f800000\na: 3f800000', 3, 'a: 3f800000'],
    ] as const;
    for (const [body, line, text] of bad) {
      let error: unknown;
      try {
        parseCalibrationCache(`${header}\n${body}\n`);
      } catch (e) {
        error = e;
      }
      expect(error, body).toBeInstanceOf(CalibrationError);
      expect((error as CalibrationError).message).toContain(`line ${line} is corrupt: ${JSON.stringify(text)}`);
      expect((error as CalibrationError).line).toBe(line);
      expect((error as CalibrationError).code).toBe('KILN_CALIBRATION');
    }
  });

  it('refuses an empty text and a missing header', () => {
    expect(() => parseCalibrationCache('')).toThrow(/calibration cache is empty/);
    expect(() => parseCalibrationCache('\n \n')).toThrow(/calibration cache is empty/);
    expect(() => parseCalibrationCache('images: 3f800000\n')).toThrow(/no header: line 1 is "images: 3f800000"/);
    expect(() => parseCalibrationCache('TRT-8601-EntropyCalibration2\nimages: 3f800000\n')).toThrow(/no header/);
  });

  it('refuses scales and names it cannot write', () => {
    expect(() => formatCalibrationCache('MinMax', new Map([['a', 0]]))).toThrow(/tensor 'a': scale 0/);
    expect(() => formatCalibrationCache('MinMax', new Map([['a', Number.NaN]]))).toThrow(/not a positive float32/);
    expect(() => formatCalibrationCache('MinMax', new Map([['a', 1e300]]))).toThrow(/not a positive float32/);
    expect(() => formatCalibrationCache('MinMax', new Map([['a\nb', 1]]))).toThrow(/line break/);
    expect(() => formatCalibrationCache('Min-Max', new Map([['a', 1]]))).toThrow(/cannot go in a cache header/);
  });
});

describe('calibrator cache files', () => {
  it('writes the cache (creating folders) and reads it back', async () => {
    const file = path.join(tmp(), 'deep', 'er', 'yolov5n.cache');
    const calibrator = new EntropyCalibrator({ batches: [], cacheFile: file });
    expect(await calibrator.readCache()).toBeUndefined();
    const scales = new Map([
      ['images', Math.fround(1 / 127)],
      ['/model.24/Concat_3_output_0', Math.fround(5.04)],
    ]);
    await calibrator.writeCache(scales);
    expect(readFileSync(file, 'utf8').split('\n')[0]).toBe(`Kiln-${KILN_VERSION}-EntropyCalibration2`);
    expect(await calibrator.readCache()).toEqual(scales);
    // A cache from another method is used as it is.
    const other = new MinMaxCalibrator({ cacheFile: file });
    expect(await other.readCache()).toEqual(scales);
    expect(existsSync(`${file}.tmp`)).toBe(false);
  });

  it('names the file and line of a corrupt cache', async () => {
    const file = path.join(tmp(), 'bad.cache');
    writeFileSync(file, `Kiln-${KILN_VERSION}-MinMax\nimages: 3f800000\nimages 3f800000\n`);
    const calibrator = new MinMaxCalibrator({ cacheFile: file });
    await expect(calibrator.readCache()).rejects.toThrow(`'${file}': calibration cache line 3 is corrupt: "images 3f800000"`);
    await expect(calibrator.readCache()).rejects.toMatchObject({ file, line: 3 });
    writeFileSync(file, '');
    await expect(calibrator.readCache()).rejects.toThrow(/calibration cache is empty/);
  });

  it('without a cache file, reads nothing and writes nothing', async () => {
    const calibrator = new MinMaxCalibrator({ batches: [] });
    expect(await calibrator.readCache()).toBeUndefined();
    await expect(calibrator.writeCache(new Map([['a', 1]]))).resolves.toBeUndefined();
  });
});
