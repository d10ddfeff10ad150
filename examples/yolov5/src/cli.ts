#!/usr/bin/env node
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { drawDetections } from '@kiln/preprocess';
import { Detector } from './detector.js';
import { BUNDLED_IMAGE } from './paths.js';

const USAGE = `Usage: pnpm --filter ./examples/yolov5 start -- [options]

Detects objects in an image with YOLOv5 on Kiln, prints them and writes an annotated copy.

Options:
  --image <file>        JPEG, PNG or WebP image (default: the bundled bus.jpg)
  --model <file>        YOLOv5 ONNX model (default: the bundled yolov5n.onnx)
  --conf <number>       confidence threshold (default 0.25)
  --iou <number>        NMS IoU threshold (default 0.45)
  --precision <p>       fp32 (default) or int8
  --calib <folder>      int8: calibration images, needed the first time (the scales are cached)
  --threads <n>         threads for the engine (default: one per core)
  --out <file>          annotated image path (default: <image>.detected.jpg beside the image)
  --json                print only a JSON array of detections
  -h, --help            show this help`;

function numberOption(value: string | undefined, name: string, fallback: number, check: (n: number) => boolean): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || !check(n)) throw new Error(`--${name} must be a valid number, got '${value}'`);
  return n;
}

async function main(): Promise<void> {
  // `pnpm start -- --image X` may hand the script a leading '--'.
  const args = process.argv.slice(2);
  if (args[0] === '--') args.shift();
  const { values } = parseArgs({
    args,
    options: {
      image: { type: 'string' },
      model: { type: 'string' },
      conf: { type: 'string' },
      iou: { type: 'string' },
      precision: { type: 'string' },
      calib: { type: 'string' },
      threads: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: false,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const conf = numberOption(values.conf, 'conf', 0.25, (n) => n >= 0 && n <= 1);
  const iou = numberOption(values.iou, 'iou', 0.45, (n) => n >= 0 && n <= 1);
  const threads = numberOption(values.threads, 'threads', 0, (n) => Number.isInteger(n) && n >= 0);
  const precision = values.precision ?? 'fp32';
  if (precision !== 'fp32' && precision !== 'int8') throw new Error(`--precision must be fp32 or int8, got '${precision}'`);
  const imagePath = values.image ?? BUNDLED_IMAGE;

  if (values.calib && precision !== 'int8') throw new Error('--calib only applies with --precision int8');
  const detector = await Detector.create({ model: values.model, precision, threads, calibrationImages: values.calib });
  const result = await detector.detect(imagePath, { conf, iou });
  if (values.json) {
    console.log(JSON.stringify(result.detections.map((d) => ({ ...d, score: +d.score.toFixed(4), box: d.box.map((v) => +v.toFixed(1)) }))));
    return;
  }

  const out = values.out ?? path.join(path.dirname(imagePath), `${path.basename(imagePath, path.extname(imagePath))}.detected.jpg`);
  const extension = path.extname(out).toLowerCase();
  const format = extension === '.png' ? 'png' : 'jpeg';
  const annotated = await drawDetections(result.image, result.detections.map((d) => ({ box: d.box, score: d.score, classId: d.class })), { names: detector.names, format });
  await writeFile(out, annotated);

  const engine = detector.engine;
  const { built, buildMs, planPath } = detector.buildInfo;
  console.log(`${path.basename(imagePath)}: ${result.image.width}×${result.image.height}, ${result.detections.length} detection(s)`);
  console.log(`engine: ${engine.isa}, ${engine.threads} thread(s), ${engine.layers.length} layers; ${built ? `built in ${buildMs} ms` : 'loaded from cache'} (${path.relative(process.cwd(), planPath)})`);
  console.log('');
  console.log(' #  class           score   x1      y1      x2      y2');
  result.detections.forEach((d, i) => {
    const box = d.box.map((v) => v.toFixed(1).padStart(7)).join(' ');
    console.log(`${String(i + 1).padStart(2)}  ${d.name.padEnd(14)} ${d.score.toFixed(3)} ${box}`);
  });
  const t = result.timings;
  console.log('');
  console.log(`time: decode ${t.decode.toFixed(1)} ms, preprocess ${t.preprocess.toFixed(1)} ms, inference ${t.inference.toFixed(1)} ms, postprocess ${t.postprocess.toFixed(1)} ms`);
  console.log(`annotated image: ${out}`);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`error: ${message.split('\n')[0]}`);
  process.exitCode = 1;
});
