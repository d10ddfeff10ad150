// Kiln vs onnxruntime-node on YOLOv5n and YOLOv5s at batch 1: median latency of each and their
// ratio, with the two runtimes' iterations interleaved so machine noise hits both alike.
// Usage: node yolov5.mjs [--threads 2] [--iterations 30] [--warmup 5] [--json]
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Builder, NetworkDefinition, defaultIsa } from '@kiln/core';
import { OnnxParser } from '@kiln/parser-onnx';
import * as ort from 'onnxruntime-node';

const { values: args } = parseArgs({
  options: {
    threads: { type: 'string', default: '2' },
    iterations: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '5' },
    models: { type: 'string', default: '../../shared/models' },
    json: { type: 'boolean', default: false },
  },
});
const threads = Number(args.threads);
const iterations = Number(args.iterations);
const warmup = Number(args.warmup);
const modelDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), args.models);
const MODELS = [
  { name: 'yolov5n', file: 'yolov5n.onnx', gflop: 4.47 },
  { name: 'yolov5s', file: 'yolov5s-random.onnx', gflop: 16.4 },
];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function timeOne(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const rows = [];
for (const model of MODELS) {
  const file = path.join(modelDir, model.file);
  const network = new NetworkDefinition();
  new OnnxParser(network).parse(await readFile(file));
  const buildStart = Date.now();
  const engine = await new Builder().build(network, { threads });
  const buildMs = Date.now() - buildStart;
  const context = engine.createContext();
  // ORT's workers spin after every run by default; interleaved with Kiln that spinning would steal
  // the cores Kiln runs on next (and Kiln's brief spin ORT's), so both pools sleep between runs.
  const session = await ort.InferenceSession.create(file, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    extra: { session: { 'intra_op.allow_spinning': '0' } },
  });

  const shape = [1, 3, 640, 640];
  const data = new Float32Array(3 * 640 * 640).map((_, i) => ((i * 2654435761) % 1000) / 1000);
  const kiln = () => context.execute({ images: { dtype: 'float32', shape, data } });
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, shape) };
  const onnxruntime = () => session.run(feeds);

  for (let i = 0; i < warmup; i++) {
    await kiln();
    await onnxruntime();
  }
  const kilnMs = [];
  const ortMs = [];
  for (let i = 0; i < iterations; i++) {
    if (i % 2) {
      kilnMs.push(await timeOne(kiln));
      ortMs.push(await timeOne(onnxruntime));
    } else {
      ortMs.push(await timeOne(onnxruntime));
      kilnMs.push(await timeOne(kiln));
    }
  }
  await session.release();
  const kilnMedian = median(kilnMs);
  const ortMedian = median(ortMs);
  rows.push({
    model: model.name,
    batch: 1,
    threads,
    isa: engine.isa,
    kilnMs: +kilnMedian.toFixed(2),
    ortMs: +ortMedian.toFixed(2),
    ratio: +(kilnMedian / ortMedian).toFixed(3),
    kilnGflops: +(model.gflop / (kilnMedian / 1000)).toFixed(1),
    buildMs,
  });
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
if (args.json) {
  console.log(JSON.stringify({ cpu, isa: defaultIsa(), rows }, null, 2));
} else {
  console.log(`${cpu}, ${os.cpus().length} cores; Kiln ISA ${defaultIsa()}; ${iterations} interleaved iterations after ${warmup} warm-up`);
  console.log('model     batch threads  kiln ms   ort ms  kiln/ort  kiln GFLOP/s  build ms');
  for (const r of rows) {
    console.log(
      `${r.model.padEnd(9)} ${String(r.batch).padStart(5)} ${String(r.threads).padStart(7)} ${r.kilnMs.toFixed(2).padStart(8)} ${r.ortMs.toFixed(2).padStart(8)} ${r.ratio.toFixed(2).padStart(9)} ${r.kilnGflops.toFixed(1).padStart(13)} ${String(r.buildMs).padStart(9)}`,
    );
  }
}
