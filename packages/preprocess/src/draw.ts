import { parseOptions } from '@kiln/core';
import { z } from 'zod';
import type { Detection } from './decode-yolo.js';
import { assertRgbImage, type RgbImage } from './image.js';
import { loadSharp } from './sharp.js';

const drawOptionsSchema = z
  .object({
    names: z.array(z.string()).optional(),
    format: z.enum(['jpeg', 'png']).default('jpeg'),
    quality: z.number().int().min(1).max(100).default(90),
    lineWidth: z.number().positive().optional(),
  })
  .strict();

export interface DrawOptions {
  /** Class names by class id, for the labels; ids without a name are shown as numbers. */
  names?: string[];
  /** Output encoding. Default 'jpeg'. */
  format?: 'jpeg' | 'png';
  /** JPEG quality, 1 to 100. Default 90. */
  quality?: number;
  /** Box outline width in pixels. Default scales with the image, at least 2. */
  lineWidth?: number;
}

/** One colour per class id, cycled: saturated hues that stay apart on photographs. */
export const PALETTE: readonly string[] = [
  '#e6194b', '#3cb44b', '#ffe119', '#4363d8', '#f58231', '#911eb4', '#46f0f0', '#f032e6',
  '#bcf60c', '#fabebe', '#008080', '#e6beff', '#9a6324', '#fffac8', '#800000', '#aaffc3',
  '#808000', '#ffd8b1', '#000075', '#808080',
];

/** The palette colour of a class. */
export function classColor(classId: number): string {
  return PALETTE[((classId % PALETTE.length) + PALETTE.length) % PALETTE.length];
}

/**
 * Draws detection boxes with "name score" labels onto an image and encodes it as JPEG or PNG.
 * Boxes are in the image's pixel coordinates (use `scaleBoxes` first for a letterboxed input).
 */
export async function drawDetections(image: RgbImage, detections: Detection[], options?: DrawOptions): Promise<Uint8Array> {
  assertRgbImage(image);
  const opts = parseOptions(drawOptionsSchema, options, 'drawDetections options');
  const { width, height } = image;
  const svg = overlaySvg(width, height, detections, opts.names ?? [], opts.lineWidth ?? Math.max(2, Math.round((width + height) * 0.0015)));
  const sharp = await loadSharp();
  const pipeline = sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), {
    raw: { width, height, channels: 3 },
  }).composite([{ input: Buffer.from(svg), top: 0, left: 0 }]);
  const encoded = opts.format === 'png' ? await pipeline.png().toBuffer() : await pipeline.jpeg({ quality: opts.quality }).toBuffer();
  return new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength);
}

function overlaySvg(width: number, height: number, detections: Detection[], names: string[], lineWidth: number): string {
  const fontSize = Math.max(12, Math.round(lineWidth * 6));
  const labelHeight = Math.round(fontSize * 1.3);
  const parts: string[] = [];
  for (const { box, score, classId } of detections) {
    const [x1, y1, x2, y2] = box.map((v) => Math.round(v * 10) / 10);
    const color = classColor(classId);
    const label = `${names[classId] ?? classId} ${score.toFixed(2)}`;
    // Width of the label's background, from a typical sans-serif glyph width.
    const labelWidth = Math.round(label.length * fontSize * 0.6 + fontSize * 0.4);
    // Above the box when it fits, else just inside its top; never past the right edge.
    const labelY = y1 - labelHeight >= 0 ? y1 - labelHeight : y1;
    const labelX = Math.max(0, Math.min(x1 - lineWidth / 2, width - labelWidth));
    parts.push(
      `<rect x="${x1}" y="${y1}" width="${Math.max(0, x2 - x1)}" height="${Math.max(0, y2 - y1)}" fill="none" stroke="${color}" stroke-width="${lineWidth}"/>`,
      `<rect x="${labelX}" y="${labelY}" width="${labelWidth}" height="${labelHeight}" fill="${color}"/>`,
      `<text x="${labelX + fontSize * 0.2}" y="${labelY + fontSize}" font-family="DejaVu Sans, Arial, Helvetica, sans-serif" font-size="${fontSize}" fill="${textColor(color)}">${escapeXml(label)}</text>`,
    );
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

/** Black or white, whichever reads better on `background`. */
function textColor(background: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(background.slice(i, i + 2), 16));
  return 0.299 * r + 0.587 * g + 0.114 * b > 150 ? '#000000' : '#ffffff';
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}
