#!/usr/bin/env node
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';
import { EntropyCalibrator, MinMaxCalibrator, PercentileCalibrator, imageFolderBatches, listImageFiles, type CalibratorOptions } from '@kiln/calibrator';
import { Builder, Logger, NetworkDefinition, type Engine, type Tensor } from '@kiln/core';
import { OnnxParser } from '@kiln/parser-onnx';
import { decodeImage, decodeYolo, letterbox, parseClassNames, toTensor } from '@kiln/preprocess';
import { agreement, type Agreement, type Box } from './agreement.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const YOLOV5_ASSETS = path.resolve(ROOT, '..', 'yolov5', 'assets');

const USAGE = `Usage: pnpm --filter ./examples/int8 start -- [options]

Calibrates YOLOv5n for INT8 on a folder of images, builds FP32 and INT8 engines, and compares
them: latency of each (interleaved), and how well INT8 detections agree with FP32 ones on the
images not used for calibration (precision / recall / F1 at IoU 0.5).

Options:
  --model <file>        YOLOv5 ONNX model (default: the yolov5 example's bundled yolov5n.onnx)
  --calib <folder>      calibration images (default: ../shared/images/calib beside the repo)
  --calib-count <n>     the first n images (by name) calibrate, the rest evaluate (default 200)
  --eval-count <n>      evaluate at most n of the remaining images (default: all)
  --method <m>          entropy (default), minmax or percentile
  --cache <file>        calibration cache (default: .cache/<model>-<method>-<n>.calib here)
  --threads <n>         engine threads (default 2)
  --iterations <n>      timed inferences per engine (default 20)
  --json                print one JSON object
  -h, --help            show this help`;

interface Options {
  model: string;
  calib: string;
  calibCount: number;
  evalCount: number;
  method: 'entropy' | 'minmax' | 'percentile';
  cache: string;
  threads: number;
  iterations: number;
  json: boolean;
}

function parseOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      calib: { type: 'string' },
      'calib-count': { type: 'string' },
      'eval-count': { type: 'string' },
      method: { type: 'string' },
      cache: { type: 'string' },
      threads: { type: 'string' },
      iterations: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return undefined;
  const count = (name: string, value: string | undefined, fallback: number) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, got '${value}'`);
    return n;
  };
  const method = values.method ?? 'entropy';
  if (method !== 'entropy' && method !== 'minmax' && method !== 'percentile') throw new Error(`--method must be entropy, minmax or percentile, got '${method}'`);
  const model = path.resolve(values.model ?? path.join(YOLOV5_ASSETS, 'yolov5n.onnx'));
  const calibCount = count('calib-count', values['calib-count'], 200);
  if (calibCount === 0) throw new Error('--calib-count must be at least 1');
  return {
    model,
    calib: path.resolve(values.calib ?? path.resolve(ROOT, '..', '..', '..', 'shared', 'images', 'calib')),
    calibCount,
    evalCount: count('eval-count', values['eval-count'], Number.MAX_SAFE_INTEGER),
    method,
    cache: path.resolve(values.cache ?? path.join(ROOT, '.cache', `${path.basename(model, '.onnx')}-${method}-${calibCount}.calib`)),
    threads: count('threads', values.threads, 2),
    iterations: Math.max(1, count('iterations', values.iterations, 20)),
    json: Boolean(values.json),
  };
}

const INPUT_SIZE: [number, number] = [640, 640];

async function loadTensor(file: string): Promise<Tensor> {
  const image = await decodeImage(file);
  return toTensor(letterbox(image, { size: INPUT_SIZE, auto: false }).image);
}

async function detect(engine: Engine, context: ReturnType<Engine['createContext']>, tensor: Tensor): Promise<Box[]> {
  const out = await context.execute({ [engine.inputs[0]!.name]: tensor });
  const [boxes] = decodeYolo(out[engine.outputs[0]!.name]!, { confThreshold: 0.25, iouThreshold: 0.45 });
  return boxes!.map((d) => ({ classId: d.classId, score: d.score, box: d.box }));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function createCalibrator(method: Options['method'], options: CalibratorOptions) {
  if (method === 'minmax') return new MinMaxCalibrator(options);
  if (method === 'percentile') return new PercentileCalibrator(options);
  return new EntropyCalibrator(options);
}

export interface Int8Report {
  model: string;
  method: string;
  calibrationImages: number;
  evaluationImages: number;
  threads: number;
  fp32Ms: number;
  int8Ms: number;
  agreement: Agreement;
  bus: { fp32: Box[]; int8: Box[] };
  int8Layers: number;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (!options) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const say = (line: string) => !options.json && process.stderr.write(`${line}\n`);
  const files = listImageFiles(options.calib);
  if (files.length <= options.calibCount) throw new Error(`${options.calib} has ${files.length} images: --calib-count ${options.calibCount} leaves none to evaluate on`);
  const evaluation = files.slice(options.calibCount, options.calibCount + options.evalCount);

  const network = new NetworkDefinition();
  new OnnxParser(network).parse(await readFile(options.model), { modelPath: options.model });
  const logger = new Logger({ severity: 'warning' });
  const input = network.inputs[0]!.name;

  say(`building the FP32 engine…`);
  const fp32 = await new Builder({ logger }).build(network, { threads: options.threads });
  const calibrator = createCalibrator(options.method, {
    batches: imageFolderBatches({ folder: options.calib, input, load: loadTensor, limit: options.calibCount }),
    cacheFile: options.cache,
  });
  say(`building the INT8 engine (${calibrator.method} on ${options.calibCount} images, cache ${path.relative(process.cwd(), options.cache)})…`);
  const int8 = await new Builder({ logger }).build(network, {
    precision: 'int8',
    calibrator,
    // The letterboxed image is in [0, 1]: its u8 codes need not cover negatives.
    dynamicRanges: { [input]: [0, 1] },
    threads: options.threads,
    onProgress: (phase, done, total) => phase === 'calibrating' && total && !options.json && process.stderr.write(`\r  calibrating ${done}/${total}`),
  });
  say('');

  const fp32Context = fp32.createContext();
  const int8Context = int8.createContext();
  const images: { reference: Box[]; candidate: Box[] }[] = [];
  for (const [i, file] of evaluation.entries()) {
    const tensor = await loadTensor(file);
    images.push({ reference: await detect(fp32, fp32Context, tensor), candidate: await detect(int8, int8Context, tensor) });
    if (!options.json) process.stderr.write(`\r  evaluating ${i + 1}/${evaluation.length}`);
  }
  say('');

  const bus = await loadTensor(path.join(YOLOV5_ASSETS, 'bus.jpg'));
  const times = { fp32: [] as number[], int8: [] as number[] };
  for (let i = 0; i < 3; i++) await Promise.all([fp32Context.execute({ [input]: bus }), int8Context.execute({ [input]: bus })]);
  for (let i = 0; i < options.iterations; i++) {
    for (const [name, context] of [['fp32', fp32Context], ['int8', int8Context]] as const) {
      const start = performance.now();
      await context.execute({ [input]: bus });
      times[name].push(performance.now() - start);
    }
  }

  const report: Int8Report = {
    model: path.basename(options.model),
    method: calibrator.method,
    calibrationImages: options.calibCount,
    evaluationImages: evaluation.length,
    threads: fp32.threads,
    fp32Ms: median(times.fp32),
    int8Ms: median(times.int8),
    agreement: agreement(images),
    bus: { fp32: await detect(fp32, fp32Context, bus), int8: await detect(int8, int8Context, bus) },
    int8Layers: int8.layers.filter((l) => l.type === 'QConv').length,
  };
  if (options.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  const a = report.agreement;
  const names = fp32.modelMetadata.names ? parseClassNames(fp32.modelMetadata.names) : [];
  const describe = (boxes: Box[]) => boxes.map((d) => `${names[d.classId] ?? d.classId} ${d.score.toFixed(2)}`).join(', ');
  const lines = [
    `${report.model}: ${report.method} calibration on ${report.calibrationImages} images, ${report.int8Layers} convolutions in INT8`,
    `latency (median of ${options.iterations}, ${report.threads} threads, interleaved): FP32 ${report.fp32Ms.toFixed(1)} ms, INT8 ${report.int8Ms.toFixed(1)} ms (${(report.int8Ms / report.fp32Ms).toFixed(2)}× FP32)`,
    `INT8 vs FP32 detections on ${report.evaluationImages} held-out images (IoU 0.5): precision ${a.precision.toFixed(3)}, recall ${a.recall.toFixed(3)}, F1 ${a.f1.toFixed(3)} (${a.truePositives} matched, ${a.falsePositives} extra, ${a.falseNegatives} missed)`,
    `bus.jpg: FP32 ${describe(report.bus.fp32)}; INT8 ${describe(report.bus.int8)}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`error: ${error.message}\n`);
  process.exitCode = 1;
});
