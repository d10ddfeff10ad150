// Kiln's per-layer profile beside onnxruntime-node's own (its profiler), to find the layers where
// Kiln loses: each Kiln layer matched to the onnxruntime kernels that compute the same ONNX nodes.
//
//   node bench/layers.mjs [--model yolov5n] [--batch 1] [--threads 2] [--iterations 30] [--top 25]
//
// A Kiln layer is named after the first ONNX node it computes; the nodes fused into it (batch
// normalization, activations, a residual Add; an inverted residual block's depthwise and
// projection convolutions) follow it in the ONNX graph, and onnxruntime names a
// fused kernel after one of their output tensors (with `_nchwc` in its blocked layout). Kernels
// onnxruntime runs that match no Kiln layer (its layout reorders, activations it did not fuse,
// the YOLOv5 head's reshapes) are listed apart. onnxruntime's profiler adds ~10 % to its own times.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Builder, NetworkDefinition } from '@kiln/core';
import { OnnxParser } from '@kiln/parser-onnx';
import * as ort from 'onnxruntime-node';
import { resolveModel } from './models.mjs';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'yolov5n' },
    batch: { type: 'string', default: '1' },
    threads: { type: 'string', default: '2' },
    iterations: { type: 'string', default: '30' },
    top: { type: 'string', default: '25' },
  },
});
const [iterations, threads, batch] = [Number(args.iterations), Number(args.threads), Number(args.batch)];
const model = resolveModel(args.model);
const bytes = await readFile(model.file);
const network = new NetworkDefinition();
new OnnxParser(network).parse(bytes);
const shape = [batch, ...model.shape];
const data = new Float32Array(shape.reduce((a, b) => a * b, 1)).map((_, i) => ((i * 2654435761) % 1000) / 1000);

// Kiln: mean milliseconds per layer over profiled runs.
const engine = await new Builder().build(network, { threads, profiles: { [model.input]: { min: shape, opt: shape, max: shape } } });
const context = engine.createContext();
const feeds = { [model.input]: { dtype: 'float32', shape, data } };
for (let i = 0; i < 3; i++) await context.execute(feeds);
context.setProfiling(true);
for (let i = 0; i < iterations; i++) await context.execute(feeds);
const kiln = context.profile();

// onnxruntime: mean milliseconds per kernel from its profile file.
const dir = mkdtempSync(path.join(os.tmpdir(), 'kiln-layers-'));
const session = await ort.InferenceSession.create(model.file, {
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
  enableProfiling: true,
  profileFilePrefix: path.join(dir, 'ort'),
  extra: { session: { 'intra_op.allow_spinning': '0' } },
});
const tensor = new ort.Tensor('float32', data, shape);
for (let i = 0; i < iterations + 3; i++) await session.run({ [session.inputNames[0]]: tensor });
session.endProfiling();
const events = JSON.parse(readFileSync(path.join(dir, readdirSync(dir)[0]), 'utf8'));
rmSync(dir, { recursive: true, force: true });
const ortMs = new Map();
for (const e of events) {
  if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
  const name = e.name.slice(0, -'_kernel_time'.length);
  ortMs.set(name, (ortMs.get(name) ?? 0) + e.dur / 1000 / (iterations + 3));
}

// The ONNX tensors a Kiln layer's fused chain writes: its node's outputs, then those of each single
// reader that is a normalization, an activation, the Mul of x·sigmoid(x) or an Add.
const FUSIBLE = new Set(['BatchNormalization', 'Relu', 'Clip', 'Sigmoid', 'Mul', 'Add', 'LeakyRelu', 'HardSwish']);
const readers = new Map();
for (const layer of network.layers) for (const input of layer.inputs) readers.set(input, [...(readers.get(input) ?? []), layer]);
const byName = new Map(network.layers.map((l) => [l.name, l]));
// The ONNX tensors of one node's fused chain, and the chain's last node.
function chain(nodeName) {
  const names = [nodeName];
  let node = byName.get(nodeName);
  let last = node;
  for (let depth = 0; node && depth < 4; depth++) {
    names.push(...node.outputs);
    last = node;
    const next = readers.get(node.outputs[0]) ?? [];
    node = next.length === 1 && FUSIBLE.has(next[0].type) ? next[0] : next.length === 2 && next.every((l) => FUSIBLE.has(l.type)) ? next.find((l) => l.type === 'Mul') : undefined;
  }
  return { names: names.flatMap((n) => [`${n}_nchwc`, n]), last };
}

// The ONNX nodes a Kiln layer computes: its first, and for an inverted residual block the
// convolutions after it up to the 1×1 projection (the first of one group after the first node).
function nodesOf(layer) {
  const nodes = [layer.name];
  if (layer.type !== 'KilnBottleneckBlocked') return nodes;
  for (let node = byName.get(layer.name); node; ) {
    const next = (readers.get(chain(node.name).last?.outputs[0]) ?? []).find((l) => l.type === 'Conv');
    if (!next) break;
    nodes.push(next.name);
    if ((next.attributes.group ?? 1) === 1) break;
    node = next;
  }
  return nodes;
}

const used = new Set();
const rows = kiln.map((layer) => {
  let ort;
  for (const node of nodesOf(layer)) {
    const match = chain(node).names.find((n) => ortMs.has(n) && !used.has(n));
    if (!match) continue;
    used.add(match);
    ort = (ort ?? 0) + ortMs.get(match);
  }
  return { name: layer.name, type: layer.type, kiln: layer.ms, ort };
});
rows.sort((a, b) => b.kiln - (b.ort ?? 0) - (a.kiln - (a.ort ?? 0)));
const total = (xs) => xs.reduce((a, b) => a + b, 0);
console.log(`${args.model}, batch ${batch}, ${threads} thread(s), ${iterations} runs; ${os.cpus()[0]?.model ?? 'CPU'}`);
console.log(`Kiln layers ${total(kiln.map((l) => l.ms)).toFixed(2)} ms; onnxruntime kernels ${total([...ortMs.values()]).toFixed(2)} ms`);
console.log(`${'layer'.padEnd(44)} ${'type'.padEnd(16)} ${'kiln ms'.padStart(8)} ${'ort ms'.padStart(8)} ${'diff'.padStart(8)}`);
for (const r of rows.slice(0, Number(args.top))) {
  const ortText = r.ort === undefined ? '' : r.ort.toFixed(3);
  const diff = r.ort === undefined ? '' : (r.kiln - r.ort >= 0 ? '+' : '') + (r.kiln - r.ort).toFixed(3);
  console.log(`${r.name.slice(0, 44).padEnd(44)} ${r.type.padEnd(16)} ${r.kiln.toFixed(3).padStart(8)} ${ortText.padStart(8)} ${diff.padStart(8)}`);
}
const unmatched = [...ortMs].filter(([n]) => !used.has(n)).sort((a, b) => b[1] - a[1]);
console.log(`onnxruntime kernels matching no Kiln layer: ${total(unmatched.map(([, ms]) => ms)).toFixed(2)} ms`);
for (const [name, ms] of unmatched.slice(0, 10)) console.log(`  ${name.slice(0, 60).padEnd(60)} ${ms.toFixed(3).padStart(8)}`);
