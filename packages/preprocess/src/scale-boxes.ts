import type { Detection } from './decode-yolo.js';
import { PostprocessError } from './errors.js';
import type { LetterboxInfo } from './letterbox.js';

/**
 * Maps detections from the letterboxed image back to the original one (subtract the padding,
 * divide by the scale) and clips them to it, as YOLOv5's `scale_boxes` and `clip_boxes` do.
 * Returns new detections; the input is left as it is.
 */
export function scaleBoxes(
  detections: Detection[],
  letterboxInfo: LetterboxInfo,
  original: { width: number; height: number },
): Detection[] {
  const { scale, padX, padY } = letterboxInfo;
  const [sx, sy] = scale;
  const { width, height } = original;
  if (!(sx > 0) || !(sy > 0) || !Number.isFinite(padX) || !Number.isFinite(padY)) {
    throw new PostprocessError(`scaleBoxes needs positive scales and finite padding, got scale [${scale}], pad (${padX}, ${padY})`);
  }
  if (!(width > 0) || !(height > 0)) {
    throw new PostprocessError(`scaleBoxes needs the original image's positive width and height, got ${width}×${height}`);
  }
  const clip = (v: number, max: number) => Math.min(Math.max(v, 0), max);
  return detections.map(({ box: [x1, y1, x2, y2], score, classId }) => ({
    box: [
      clip((x1 - padX) / sx, width),
      clip((y1 - padY) / sy, height),
      clip((x2 - padX) / sx, width),
      clip((y2 - padY) / sy, height),
    ],
    score,
    classId,
  }));
}
