// Kiln against onnxruntime-node, measured side by side in one run: for each model, batch and
// thread count, the median latency of each runtime (their iterations interleaved, the one going
// first alternating, so machine noise hits both alike), the ratio of the medians and the median of
// each iteration's ratio ("paired"), and Kiln's achieved GFLOP/s
// against the machine's measured peak (an FMA loop). Prints a table; writes results.json.
//
// With --int8, the YOLO models also get an INT8 engine (entropy calibration on --calib-count images
// of ../shared/images/calib, cached in .cache/), timed in the same interleaved loop.
//
//   node bench.mjs [--models yolov5n,yolov5s,resnet18,mobilenetv2] [--batches 1,8] [--threads 1,2]
//                  [--iterations 20] [--warmup 3] [--int8] [--calib-count 64] [--json]
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { EntropyCalibrator, imageFolderBatches } from '@kiln/calibrator';
import { Builder, NetworkDefinition, defaultIsa, measurePeakGflops } from '@kiln/core';
import { decodeImage, letterbox, toTensor } from '@kiln/preprocess';
import { OnnxParser } from '@kiln/parser-onnx';
import * as ort from 'onnxruntime-node';
import { resolveModel, shared } from './models.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    models: { type: 'string', default: 'yolov5n,yolov5s,resnet18,mobilenetv2' },
    batches: { type: 'string', default: '1,8' },
    threads: { type: 'string', default: '1,2' },
    iterations: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    int8: { type: 'boolean', default: false },
    'calib-count': { type: 'string', default: '64' },
    json: { type: 'boolean', default: false },
  },
});
const list = (s) => s.split(',').filter(Boolean);
const numbers = (s) => list(s).map(Number);

// yolov5s-random has a fixed batch of 1; the others take any batch.
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function timed(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** An INT8 engine of the network, calibrated on photos (entropy), the scales cached per model. */
async function buildInt8(name, network, threads) {
  const load = async (file) => toTensor(letterbox(await decodeImage(file), { size: [640, 640], auto: false }).image);
  const count = Number(args['calib-count']);
  const calibrator = new EntropyCalibrator({
    batches: imageFolderBatches({ folder: path.resolve(shared, '../images/calib'), input: network.inputs[0].name, load, limit: count }),
    cacheFile: path.join(here, '.cache', `${name}-entropy-${count}.calib`),
  });
  return new Builder().build(network, { threads, precision: 'int8', calibrator });
}

const iterations = Number(args.iterations);
const warmup = Number(args.warmup);
const isa = defaultIsa();
const peaks = Object.fromEntries(numbers(args.threads).map((t) => [t, measurePeakGflops(isa, t, 0.5)]));
const rows = [];
for (const name of list(args.models)) {
  const model = resolveModel(name);
  const bytes = await readFile(model.file);
  for (const threads of numbers(args.threads)) {
    const network = new NetworkDefinition();
    new OnnxParser(network).parse(bytes);
    const engine = await new Builder().build(network, { threads });
    const context = engine.createContext();
    const int8Context = args.int8 && model.images ? (await buildInt8(name, network, threads)).createContext() : undefined;
    // ORT's workers spin after every run by default; interleaved with Kiln that spinning would
    // steal the cores Kiln runs on next (and Kiln's brief spin ORT's), so both pools sleep between runs.
    const session = await ort.InferenceSession.create(model.file, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      extra: { session: { 'intra_op.allow_spinning': '0' } },
    });
    for (const batch of numbers(args.batches)) {
      if (model.fixedBatch && batch !== model.fixedBatch) continue;
      const shape = [batch, ...model.shape];
      const data = new Float32Array(shape.reduce((a, b) => a * b, 1)).map((_, i) => ((i * 2654435761) % 1000) / 1000);
      const tensor = { dtype: 'float32', shape, data };
      const feeds = { [model.input]: new ort.Tensor('float32', data, shape) };
      const runners = { kiln: () => context.execute({ [model.input]: tensor }), ort: () => session.run(feeds) };
      if (int8Context) runners.int8 = () => int8Context.execute({ [model.input]: tensor });
      const order = Object.keys(runners);
      for (let i = 0; i < warmup; i++) for (const key of order) await runners[key]();
      const times = Object.fromEntries(order.map((key) => [key, []]));
      for (let i = 0; i < iterations; i++) {
        // Rotate which runtime goes first, so none always follows the same one.
        for (let j = 0; j < order.length; j++) {
          const key = order[(i + j) % order.length];
          times[key].push(await timed(runners[key]));
        }
      }
      const k = median(times.kiln);
      const o = median(times.ort);
      const gflops = (model.gflop * batch) / (k / 1000);
      // Each iteration's two runs back to back: the median of their ratios is what a burst of
      // machine noise, hitting both runs of a few iterations, disturbs least.
      const paired = median(times.kiln.map((t, i) => t / times.ort[i]));
      const row = { model: name, batch, threads, kilnMs: +k.toFixed(2), ortMs: +o.toFixed(2), ratio: +(k / o).toFixed(3), pairedRatio: +paired.toFixed(3), kilnGflops: +gflops.toFixed(1), peakGflops: +peaks[threads].toFixed(1), ofPeak: +(gflops / peaks[threads]).toFixed(3) };
      if (times.int8) Object.assign(row, { int8Ms: +median(times.int8).toFixed(2), int8Ratio: +(median(times.int8) / o).toFixed(3) });
      rows.push(row);
      if (!args.json) process.stderr.write(`${name} batch ${batch} threads ${threads}: kiln ${k.toFixed(1)} ms, ort ${o.toFixed(1)} ms${row.int8Ms ? `, kiln int8 ${row.int8Ms.toFixed(1)} ms` : ''}\n`);
    }
    await session.release();
  }
}

const cpu = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores`;
const result = { date: new Date().toISOString(), cpu, isa, iterations, warmup, rows };
await writeFile(path.join(here, 'results.json'), `${JSON.stringify(result, null, 2)}\n`);
if (args.json) {
  console.log(JSON.stringify(result, null, 2));
} else {
  console.log(`${cpu}; Kiln ISA ${isa}; ${iterations} interleaved iterations after ${warmup} warm-up; peak = FMA loop`);
  const int8 = rows.some((r) => r.int8Ms !== undefined);
  console.log(`model        batch threads   kiln ms    ort ms  kiln/ort    paired  kiln GFLOP/s  of peak${int8 ? '   int8 ms  int8/ort' : ''}`);
  for (const r of rows) {
    const int8Columns = int8 ? (r.int8Ms !== undefined ? `${r.int8Ms.toFixed(2).padStart(10)} ${r.int8Ratio.toFixed(2).padStart(9)}` : `${'-'.padStart(10)} ${'-'.padStart(9)}`) : '';
    console.log(
      `${r.model.padEnd(12)} ${String(r.batch).padStart(5)} ${String(r.threads).padStart(7)} ${r.kilnMs.toFixed(2).padStart(9)} ${r.ortMs.toFixed(2).padStart(9)} ${r.ratio.toFixed(2).padStart(9)} ${r.pairedRatio.toFixed(2).padStart(9)} ${r.kilnGflops.toFixed(1).padStart(13)} ${(r.ofPeak * 100).toFixed(0).padStart(7)}%${int8Columns}`,
    );
  }
}
