import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Detector } from '../src/detector.js';
import { BUNDLED_IMAGE, EXAMPLE_ROOT } from '../src/paths.js';

const SHARED = path.resolve(EXAMPLE_ROOT, '../../../shared');
const run = promisify(execFile);

interface ReferenceDetection {
  class: number;
  name: string;
  score: number;
  box: number[];
}

describe('YOLOv5n on bus.jpg against YOLOv5 PyTorch reference detections', () => {
  it('finds the same objects, boxes within 2 px, scores within 0.01', async () => {
    const reference = JSON.parse(await readFile(path.join(SHARED, 'models/yolov5n-reference.json'), 'utf8'));
    const expected: ReferenceDetection[] = reference.images['bus.jpg'].detections;
    const detector = await Detector.create({ threads: 2, cacheDir: path.join(EXAMPLE_ROOT, '.cache', 'test') });
    const { detections } = await detector.detect(path.join(SHARED, 'images/bus.jpg'), { conf: reference.conf_thres, iou: reference.iou_thres });
    expect(detections.map((d) => d.class).sort()).toEqual(expected.map((d) => d.class).sort());
    for (const want of expected) {
      const match = detections.find((d) => d.class === want.class && d.box.every((v, i) => Math.abs(v - want.box[i]) <= 2));
      expect(match, `${want.name} at [${want.box.join(', ')}]`).toBeDefined();
      expect(Math.abs(match!.score - want.score)).toBeLessThanOrEqual(0.01);
      expect(match!.name).toBe(want.name);
    }
  });

  it('the command prints only JSON with --json', async () => {
    const { stdout } = await run('node', [path.join(EXAMPLE_ROOT, 'dist/cli.js'), '--json', '--image', BUNDLED_IMAGE], { cwd: EXAMPLE_ROOT });
    const detections = JSON.parse(stdout);
    expect(detections).toHaveLength(4);
    expect(detections[0]).toEqual({ class: expect.any(Number), name: expect.any(String), score: expect.any(Number), box: expect.any(Array) });
  });

  it('the command exits non-zero with one readable line for a missing image', async () => {
    const failure = await run('node', [path.join(EXAMPLE_ROOT, 'dist/cli.js'), '--image', 'no-such.jpg'], { cwd: EXAMPLE_ROOT }).catch((e) => e);
    expect(failure.code).toBe(1);
    expect(failure.stderr.trim().split('\n')).toHaveLength(1);
    expect(failure.stderr).toMatch(/^error: .*no-such\.jpg/);
  });

  it('the command refuses a text file and a truncated JPEG in one line each', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'kiln-yolo-'));
    const text = path.join(dir, 'notes.jpg');
    await writeFile(text, 'not an image');
    const truncated = path.join(dir, 'cut.jpg');
    await writeFile(truncated, (await readFile(BUNDLED_IMAGE)).subarray(0, 2000));
    for (const image of [text, truncated]) {
      const failure = await run('node', [path.join(EXAMPLE_ROOT, 'dist/cli.js'), '--image', image], { cwd: EXAMPLE_ROOT }).catch((e) => e);
      expect(failure.code, image).toBe(1);
      expect(failure.stderr.trim().split('\n'), image).toHaveLength(1);
      expect(failure.stderr).toMatch(/^error: /);
    }
  });

  it('handles a 1×1 image, a grayscale and an RGBA image', async () => {
    const sharp = (await import('sharp')).default;
    const dir = await mkdtemp(path.join(tmpdir(), 'kiln-yolo-'));
    const tiny = path.join(dir, 'tiny.png');
    await sharp({ create: { width: 1, height: 1, channels: 3, background: { r: 10, g: 200, b: 30 } } }).png().toFile(tiny);
    const gray = path.join(dir, 'gray.png');
    await sharp(BUNDLED_IMAGE).grayscale().png().toFile(gray);
    const rgba = path.join(dir, 'rgba.png');
    await sharp(BUNDLED_IMAGE).ensureAlpha().png().toFile(rgba);
    const detector = await Detector.create({ threads: 2, cacheDir: path.join(EXAMPLE_ROOT, '.cache', 'test') });
    expect((await detector.detect(tiny)).detections).toEqual([]);
    expect((await detector.detect(gray)).image).toMatchObject({ width: 810, height: 1080 });
    const fromRgba = await detector.detect(rgba);
    expect(fromRgba.detections.filter((d) => d.name === 'person').length).toBeGreaterThanOrEqual(3);
  });

  it('the command refuses a bad flag value in one line', async () => {
    const failure = await run('node', [path.join(EXAMPLE_ROOT, 'dist/cli.js'), '--conf', 'high'], { cwd: EXAMPLE_ROOT }).catch((e) => e);
    expect(failure.code).toBe(1);
    expect(failure.stderr.trim()).toBe("error: --conf must be a valid number, got 'high'");
  });
});
