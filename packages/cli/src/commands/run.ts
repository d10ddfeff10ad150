import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import type { Isa } from '@kiln/core';
import { out } from '../colors.js';
import { formatMs, formatValue, plural, table, writeJson } from '../format.js';
import { feeds, prepareInputs } from '../inputs.js';
import { createLogger } from '../logging.js';
import { openEngine, readModelFile } from '../model.js';
import { writeNpy } from '../npy.js';
import { inputOption, isaOption, shapesOption, threadsOption, verboseOption } from '../options.js';
import { formatShape, type ShapeSpecs } from '../shapes.js';
import { tensorStats } from '../stats.js';
import { numericValues } from '../values.js';

interface RunFlags {
  input?: string[];
  shapes?: ShapeSpecs;
  outputDir?: string;
  json?: boolean;
  threads?: number;
  isa?: Isa;
  verbose?: boolean;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run an engine (or an ONNX model, built in memory) once and summarize its outputs')
    .argument('<model>', 'a .kiln engine or an ONNX model')
    .addOption(inputOption())
    .addOption(shapesOption('shapes of dynamic inputs filled with random data (default: dynamic dimensions are 1)'))
    .option('--output-dir <dir>', 'write each output there as <name>.npy')
    .option('--json', 'print one JSON object instead of tables')
    .addOption(threadsOption())
    .addOption(isaOption())
    .addOption(verboseOption())
    .addHelpText(
      'after',
      `
Inputs not given with --input get random values in [0, 1). An image is decoded, letterboxed to
the input's height and width and scaled to [0, 1] RGB (YOLOv5's preprocessing); a .bin file is
raw little-endian float32 in the input's shape.

Examples:
  $ kiln run yolov5n.kiln
  $ kiln run yolov5n.kiln --input images=bus.jpg --output-dir out
  $ kiln run yolov5n.onnx --input images=images.npy --json
  $ kiln run yolov5n-dynamic.onnx --shapes images:2x3x640x640
`,
    )
    .action(run);
}

function fileNames(names: readonly string[]): string[] {
  const used = new Set<string>();
  return names.map((name) => {
    const base = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[_.]+/, '') || 'output';
    let file = `${base}.npy`;
    for (let i = 2; used.has(file); i++) file = `${base}_${i}.npy`;
    used.add(file);
    return file;
  });
}

async function run(modelPath: string, flags: RunFlags): Promise<void> {
  const verbose = Boolean(flags.verbose);
  const { engine } = await openEngine(await readModelFile(modelPath), { threads: flags.threads, isa: flags.isa }, createLogger(verbose), verbose);
  const inputs = await prepareInputs(engine.inputs, flags.input, flags.shapes);

  const context = engine.createContext();
  const start = performance.now();
  const results = await context.execute(feeds(inputs));
  const ms = performance.now() - start;

  if (flags.outputDir) await mkdir(flags.outputDir, { recursive: true });
  const names = Object.keys(results);
  const files = fileNames(names);
  const outputs = [];
  for (const [i, name] of names.entries()) {
    const tensor = results[name];
    const file = flags.outputDir ? path.join(flags.outputDir, files[i]) : undefined;
    if (file) await writeNpy(file, tensor);
    outputs.push({ name, dtype: tensor.dtype, shape: tensor.shape, ...tensorStats(numericValues(tensor)), file });
  }

  if (flags.json) {
    writeJson({
      model: modelPath,
      engine: { isa: engine.isa, threads: engine.threads },
      ms,
      inputs: inputs.map((i) => ({ name: i.name, shape: i.tensor.shape, source: i.source })),
      outputs,
    });
    return;
  }
  const lines = [`${modelPath}: ${engine.isa}, ${plural(engine.threads, 'thread')}; ran in ${formatMs(ms)}`, out.bold('inputs')];
  lines.push(...table(inputs.map((i) => [i.name, formatShape(i.tensor.shape), i.source])));
  lines.push(out.bold('outputs'));
  const header = ['name', 'shape', 'min', 'max', 'mean', 'std', 'NaN'].map((h) => out.dim(h));
  const rows = outputs.map((o) => [o.name, formatShape(o.shape), ...[o.min, o.max, o.mean, o.std].map(formatValue), o.nan ? out.red(String(o.nan)) : '0']);
  lines.push(...table([header, ...rows], [2, 3, 4, 5, 6]));
  for (const o of outputs) if (o.file) lines.push(`wrote ${o.file}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
