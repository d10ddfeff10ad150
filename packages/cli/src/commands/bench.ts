import os from 'node:os';
import type { Command } from 'commander';
import type { Isa, LayerProfile } from '@kiln/core';
import { out } from '../colors.js';
import { CliError } from '../errors.js';
import { formatBytes, plural, table, writeJson } from '../format.js';
import { feeds, prepareInputs } from '../inputs.js';
import { createLogger } from '../logging.js';
import { timeInterleaved, timeStreams, type LoopPlan } from '../measure.js';
import { openEngine, readModelFile } from '../model.js';
import { inputOption, integerAtLeast, isaOption, nonNegativeNumber, shapesOption, threadsOption, verboseOption } from '../options.js';
import { createOrtRunner } from '../ort.js';
import { formatShape, type ShapeSpecs } from '../shapes.js';
import { latencyStats, type LatencyStats } from '../stats.js';

interface BenchFlags {
  iterations: number;
  warmup: number;
  duration: number;
  concurrency: number;
  threads?: number;
  isa?: Isa;
  input?: string[];
  shapes?: ShapeSpecs;
  compareOrt?: boolean;
  model?: string;
  profile?: boolean;
  json?: boolean;
  verbose?: boolean;
}

interface RuntimeResult {
  latencyMs: LatencyStats;
  /** Inferences per second. */
  throughput: number;
}

interface BenchResult {
  model: string;
  cpu: string;
  engine: { isa: string; threads: number; layers: number };
  inputs: { name: string; shape: number[]; source: string }[];
  concurrency: number;
  warmup: number;
  /** Activation memory of one context. */
  memoryBytes: number;
  kiln: RuntimeResult;
  ort?: RuntimeResult;
  /** Kiln's median latency over onnxruntime's. */
  ratio?: number;
  /** Every layer, slowest first, from `--iterations` profiled runs after the timed ones. */
  profile?: LayerProfile[];
}

const TOP_LAYERS = 10;

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('measure latency and throughput of an engine (or an ONNX model, built in memory)')
    .argument('<model>', 'a .kiln engine or an ONNX model')
    .option('--iterations <n>', 'timed inferences, at least', integerAtLeast(1), 20)
    .option('--warmup <n>', 'untimed inferences first, per stream', integerAtLeast(0), 5)
    .option('--duration <seconds>', 'keep measuring for at least this long', nonNegativeNumber, 0)
    .option('--concurrency <n>', 'execution contexts running at once', integerAtLeast(1), 1)
    .addOption(threadsOption())
    .addOption(isaOption())
    .addOption(inputOption())
    .addOption(shapesOption('shapes of dynamic inputs (default: dynamic dimensions are 1)'))
    .option('--compare-ort', 'also measure onnxruntime-node, interleaved with Kiln, and print the ratio')
    .option('--model <model.onnx>', 'the ONNX model for --compare-ort when benchmarking an engine file')
    .option('--profile', 'afterwards, time every layer and print the slowest')
    .option('--json', 'print one JSON object')
    .addOption(verboseOption())
    .addHelpText(
      'after',
      `
Latencies are per inference, from the call to execute to its result. Throughput is inferences per
second: over the wall time with --concurrency, over the summed latencies with --compare-ort (the
two runtimes take turns). onnxruntime-node runs with as many intra-op threads as the engine, all
graph optimizations, and its workers not spinning between runs.

Examples:
  $ kiln bench yolov5n.kiln
  $ kiln bench yolov5n.onnx --compare-ort --threads 2 --iterations 50
  $ kiln bench yolov5n.kiln --model yolov5n.onnx --compare-ort --json
  $ kiln bench yolov5n.kiln --concurrency 2 --duration 10
  $ kiln bench yolov5n.kiln --profile
`,
    )
    .action(bench);
}

async function bench(modelPath: string, flags: BenchFlags): Promise<void> {
  if (flags.model && !flags.compareOrt) throw new CliError('--model names the ONNX model for --compare-ort; add --compare-ort or drop --model');
  if (flags.compareOrt && flags.concurrency > 1) throw new CliError('--compare-ort measures one stream at a time; drop --concurrency');
  const model = await readModelFile(modelPath);
  const ortModel = flags.model ?? (model.kind === 'onnx' ? modelPath : undefined);
  if (flags.compareOrt && !ortModel) throw new CliError(`--compare-ort needs the ONNX model: ${modelPath} is an engine, so add --model <model.onnx>`);
  const verbose = Boolean(flags.verbose);
  const { engine } = await openEngine(model, { threads: flags.threads, isa: flags.isa }, createLogger(verbose), verbose);
  const inputs = await prepareInputs(engine.inputs, flags.input, flags.shapes);
  const loop: LoopPlan = { iterations: flags.iterations, warmup: flags.warmup, durationMs: flags.duration * 1000 };

  const contexts = Array.from({ length: flags.concurrency }, () => engine.createContext());
  const feedMap = feeds(inputs);
  const streams = contexts.map((context) => () => context.execute(feedMap));
  let kiln: RuntimeResult;
  let ort: RuntimeResult | undefined;
  if (flags.compareOrt && ortModel) {
    const runner = await createOrtRunner(ortModel, engine.threads);
    try {
      const { a, b } = await timeInterleaved(streams[0], runner.bind(feedMap), loop);
      kiln = busyResult(a);
      ort = busyResult(b);
    } finally {
      await runner.release();
    }
  } else {
    const { latencies, wallMs } = await timeStreams(streams, loop);
    kiln = { latencyMs: latencyStats(latencies), throughput: (latencies.length * 1000) / wallMs };
  }

  let profile: LayerProfile[] | undefined;
  if (flags.profile) {
    await contexts[0].setProfiling(true);
    for (let i = 0; i < flags.iterations; i++) await streams[0]();
    profile = contexts[0].profile();
  }

  const result: BenchResult = {
    model: modelPath,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    engine: { isa: engine.isa, threads: engine.threads, layers: engine.layers.length },
    inputs: inputs.map((i) => ({ name: i.name, shape: i.tensor.shape, source: i.source })),
    concurrency: flags.concurrency,
    warmup: flags.warmup,
    memoryBytes: contexts[0].memoryBytes,
    kiln,
    ...(ort && { ort, ratio: kiln.latencyMs.median / ort.latencyMs.median }),
    ...(profile && { profile }),
  };
  if (flags.json) writeJson(result);
  else printBench(result, flags.iterations);
}

function busyResult(latencies: number[]): RuntimeResult {
  const stats = latencyStats(latencies);
  return { latencyMs: stats, throughput: 1000 / stats.mean };
}

function printBench(result: BenchResult, profiledRuns: number): void {
  const { kiln, ort, ratio, profile } = result;
  const lines = [
    `${result.model}: ${result.engine.isa}, ${plural(result.engine.threads, 'thread')}, ${result.cpu}`,
    `inputs ${result.inputs.map((i) => `${i.name} ${formatShape(i.shape)}`).join(', ')}; ${plural(result.concurrency, 'stream')}; ${plural(kiln.latencyMs.count, 'timed inference')} after ${result.warmup} warm-up; activations ${formatBytes(result.memoryBytes)} per context`,
  ];
  const header = ['', 'min', 'mean', 'median', 'p90', 'p95', 'p99', 'max', 'inf/s'].map((h) => out.dim(h));
  const row = (name: string, r: RuntimeResult) => {
    const s = r.latencyMs;
    return [name, ...[s.min, s.mean, s.median, s.p90, s.p95, s.p99, s.max].map((v) => v.toFixed(2)), r.throughput.toFixed(1)];
  };
  lines.push(out.dim('latency (ms)'));
  lines.push(...table([header, row('kiln', kiln), ...(ort ? [row('onnxruntime', ort)] : [])], [1, 2, 3, 4, 5, 6, 7, 8]));
  if (ort && ratio !== undefined) {
    const verdict = ratio <= 1 ? out.green(`Kiln ${(1 / ratio).toFixed(2)}x faster`) : out.yellow(`Kiln ${ratio.toFixed(2)}x slower`);
    lines.push(`median kiln/onnxruntime: ${ratio.toFixed(3)} (${verdict})`);
  }
  if (profile) {
    lines.push(out.dim(`slowest layers (mean over ${profiledRuns} profiled runs)`));
    lines.push(...table([['layer', 'type', 'ms', 'share'].map((h) => out.dim(h)), ...profile.slice(0, TOP_LAYERS).map((l) => [l.name, l.type, l.ms.toFixed(3), `${(l.share * 100).toFixed(1)}%`])], [2, 3]));
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
