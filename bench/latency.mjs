// Latency distributions, Kiln's and onnxruntime-node's, on one model in one process: the median
// hides a slow tail (a thread the OS put on a busy CPU, caches the other runtime evicted), and a
// server's p90 is what its users see. Three ways of calling, each for --iterations runs:
//   alone        one runtime back to back (Kiln first, then onnxruntime)
//   interleaved  the two alternating, as bench.mjs measures them
//   idle         5 ms of idle before every run (workers asleep, caches cooled by the timer)
//
//   node bench/latency.mjs [--model mobilenetv2] [--batch 1] [--threads 2] [--iterations 300]
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Builder, NetworkDefinition } from '@kiln/core';
import { OnnxParser } from '@kiln/parser-onnx';
import * as ort from 'onnxruntime-node';
import { resolveModel } from './models.mjs';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'mobilenetv2' },
    batch: { type: 'string', default: '1' },
    threads: { type: 'string', default: '2' },
    iterations: { type: 'string', default: '300' },
  },
});
const threads = Number(args.threads);
const iterations = Number(args.iterations);
const model = resolveModel(args.model);
const shape = [Number(args.batch), ...model.shape];

const network = new NetworkDefinition();
new OnnxParser(network).parse(await readFile(model.file));
const context = (await new Builder().build(network, { threads })).createContext();
const session = await ort.InferenceSession.create(model.file, {
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
  extra: { session: { 'intra_op.allow_spinning': '0' } },
});
const data = new Float32Array(shape.reduce((a, b) => a * b, 1)).map((_, i) => ((i * 2654435761) % 1000) / 1000);
const runners = {
  kiln: () => context.execute({ [model.input]: { dtype: 'float32', shape, data } }),
  ort: () => session.run({ [model.input]: new ort.Tensor('float32', data, shape) }),
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function timed(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}
function percentiles(times) {
  const sorted = [...times].sort((a, b) => a - b);
  return [0.1, 0.5, 0.9, 0.99].map((q) => sorted[Math.floor(q * (sorted.length - 1))]);
}

for (let i = 0; i < 10; i++) for (const run of Object.values(runners)) await run();
const modes = {
  alone: async (times) => {
    for (const key of ['kiln', 'ort']) for (let i = 0; i < iterations; i++) times[key].push(await timed(runners[key]));
  },
  interleaved: async (times) => {
    for (let i = 0; i < iterations; i++)
      for (const key of i % 2 ? ['kiln', 'ort'] : ['ort', 'kiln']) times[key].push(await timed(runners[key]));
  },
  idle: async (times) => {
    for (let i = 0; i < iterations; i++)
      for (const key of ['kiln', 'ort']) {
        await sleep(5);
        times[key].push(await timed(runners[key]));
      }
  },
};
console.log(`${args.model}, batch ${shape[0]}, ${threads} thread(s), ${iterations} runs per runtime and mode; ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores`);
console.log(`mode         runtime     p10 ms    p50 ms    p90 ms    p99 ms`);
for (const [mode, measure] of Object.entries(modes)) {
  const times = { kiln: [], ort: [] };
  await measure(times);
  for (const key of ['kiln', 'ort']) {
    const row = percentiles(times[key]).map((t) => t.toFixed(2).padStart(9)).join(' ');
    console.log(`${mode.padEnd(12)} ${(key === 'ort' ? 'onnxruntime' : 'kiln').padEnd(11)} ${row}`);
  }
}
