// Two Kiln engine files and onnxruntime-node on one model, their runs interleaved in one process, so
// that a change (a pass, a tactic choice, a layout) is measured against the same machine noise:
//
//   node bench/ab.mjs --model M.onnx --shape 1x3x640x640 a.kiln b.kiln [--threads 2] [--iterations 30]
//
// Both plans load into this build's kernels (a plan keeps its layers and chosen tactics, not code):
// compare builds of one Kiln, e.g. `kiln build --layout nchw` against the default. The second slot
// measures ~2 % slower than the first on the same engine: swap the files to check a small difference.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Runtime } from '@kiln/core';
import * as ort from 'onnxruntime-node';

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    model: { type: 'string' },
    shape: { type: 'string' },
    threads: { type: 'string', default: '2' },
    iterations: { type: 'string', default: '30' },
  },
});
if (!args.model || !args.shape || positionals.length !== 2) {
  console.error('usage: node bench/ab.mjs --model M.onnx --shape 1x3x640x640 a.kiln b.kiln [--threads 2] [--iterations 30]');
  process.exit(2);
}
const threads = Number(args.threads);
const shape = args.shape.split('x').map(Number);
const data = new Float32Array(shape.reduce((a, b) => a * b, 1)).map((_, i) => ((i * 2654435761) % 1000) / 1000);
const runtime = new Runtime({ threads });
const engines = positionals.map((file) => runtime.deserialize(readFileSync(file)));
const contexts = engines.map((engine) => engine.createContext());
const session = await ort.InferenceSession.create(args.model, {
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  extra: { session: { 'intra_op.allow_spinning': '0' } },
});
const kilnInput = engines[0].inputs[0].name;
const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, shape) };
const runs = [
  ...contexts.map((context) => () => context.execute({ [kilnInput]: { dtype: 'float32', shape, data } })),
  () => session.run(feeds),
];
const times = runs.map(() => []);
for (let i = 0; i < 3; i++) for (const run of runs) await run();
for (let i = 0; i < Number(args.iterations); i++)
  for (const [j, run] of runs.entries()) {
    const start = performance.now();
    await run();
    times[j].push(performance.now() - start);
  }
const median = (t) => [...t].sort((x, y) => x - y)[Math.floor(t.length / 2)];
const [a, b, o] = times.map(median);
console.log(`A ${a.toFixed(2)} ms   B ${b.toFixed(2)} ms   onnxruntime ${o.toFixed(2)} ms`);
console.log(`A/ORT ${(a / o).toFixed(3)}   B/ORT ${(b / o).toFixed(3)}   B/A ${(b / a).toFixed(3)}`);
