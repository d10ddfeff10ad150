import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImage, letterbox } from '../src/index.js';
import { SHARED, sha256 } from './helpers.js';

// Digests written by fixtures/make-opencv-fixtures.py with OpenCV 4.6: cv2.imread (flipped to RGB)
// and YOLOv5's letterbox on top of it.
const fixtures = JSON.parse(readFileSync(path.join(__dirname, 'fixtures/opencv-fixtures.json'), 'utf8')) as {
  images: {
    path: string;
    width: number;
    height: number;
    sha256: string;
    letterbox: { size: number; auto: boolean; width: number; height: number; sha256: string }[];
  }[];
};

describe('parity with OpenCV', () => {
  it.each(fixtures.images.map((f) => [f.path, f] as const))('decodes and letterboxes %s to the same bytes', async (_, f) => {
    const image = await decodeImage(path.join(SHARED, 'images', f.path));
    expect([image.width, image.height]).toEqual([f.width, f.height]);
    expect(sha256(image.data)).toBe(f.sha256);
    for (const lb of f.letterbox) {
      const result = letterbox(image, { size: lb.size, auto: lb.auto });
      expect([result.image.width, result.image.height]).toEqual([lb.width, lb.height]);
      expect(sha256(result.image.data)).toBe(lb.sha256);
    }
  });
});
