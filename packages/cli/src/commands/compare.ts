import type { Command } from 'commander';
import type { Isa } from '@kiln/core';
import { out } from '../colors.js';
import { agreement, type Agreement } from '../comparison.js';
import { CliError } from '../errors.js';
import { formatValue, plural, table, writeJson } from '../format.js';
import { feeds, prepareInputs } from '../inputs.js';
import { createLogger } from '../logging.js';
import { buildFromOnnx, readModelFile } from '../model.js';
import { inputOption, isaOption, nonNegativeNumber, shapesOption, threadsOption, verboseOption } from '../options.js';
import { createOrtRunner } from '../ort.js';
import { formatShape, type ShapeSpecs } from '../shapes.js';
import { numericValues } from '../values.js';

interface CompareFlags {
  input?: string[];
  shapes?: ShapeSpecs;
  isa?: Isa;
  threads?: number;
  atol: number;
  rtol: number;
  json?: boolean;
  verbose?: boolean;
}

interface OutputComparison extends Partial<Agreement> {
  name: string;
  shape: number[];
  ortShape?: number[];
  pass: boolean;
  /** Why the output could not be compared value by value. */
  problem?: string;
}

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('build an ONNX model with Kiln, run it and onnxruntime-node on the same inputs, and compare every output')
    .argument('<model>', 'the ONNX model')
    .addOption(inputOption())
    .addOption(shapesOption('shapes of dynamic inputs (default: dynamic dimensions are 1)'))
    .addOption(isaOption())
    .addOption(threadsOption())
    .option('--atol <x>', 'absolute tolerance', nonNegativeNumber, 1e-3)
    .option('--rtol <x>', 'relative tolerance', nonNegativeNumber, 1e-3)
    .option('--json', 'print one JSON object')
    .addOption(verboseOption())
    .addHelpText(
      'after',
      `
An output passes when every value k of Kiln's and o of onnxruntime's has |k - o| <= atol + rtol * |o|
(NumPy's allclose). Reported per output: max absolute error, max relative error |k - o| / |o| (over
o != 0), relative L2 error ||k - o|| / ||o||. Exits with 1 when any output fails.

Examples:
  $ kiln compare yolov5n.onnx
  $ kiln compare yolov5n.onnx --input images=bus.jpg --isa scalar
  $ kiln compare yolov5n.onnx --atol 1e-4 --rtol 1e-4 --json
`,
    )
    .action(compare);
}

async function compare(modelPath: string, flags: CompareFlags): Promise<void> {
  const verbose = Boolean(flags.verbose);
  const model = await readModelFile(modelPath);
  if (model.kind === 'plan') throw new CliError(`${modelPath} is a Kiln engine; compare needs the ONNX model, which onnxruntime-node runs too`);
  const { engine } = await buildFromOnnx(model, { threads: flags.threads, isa: flags.isa }, createLogger(verbose), verbose);
  const inputs = await prepareInputs(engine.inputs, flags.input, flags.shapes);
  const feedMap = feeds(inputs);

  const kiln = await engine.createContext().execute(feedMap);
  const runner = await createOrtRunner(modelPath, engine.threads);
  const ort = await runner.run(feedMap).finally(() => runner.release());

  const outputs: OutputComparison[] = Object.entries(kiln).map(([name, tensor]) => {
    const reference = ort[name];
    if (!reference) return { name, shape: tensor.shape, pass: false, problem: 'onnxruntime-node has no such output' };
    const sameShape = reference.shape.length === tensor.shape.length && reference.shape.every((d, i) => d === tensor.shape[i]);
    if (!sameShape) return { name, shape: tensor.shape, ortShape: reference.shape, pass: false, problem: `shapes differ: ${formatShape(tensor.shape)} against ${formatShape(reference.shape)}` };
    const result = agreement(numericValues(tensor), reference.data, flags.atol, flags.rtol);
    return { name, shape: tensor.shape, ortShape: reference.shape, ...result, pass: result.mismatches === 0 };
  });
  const pass = outputs.every((o) => o.pass);
  if (!pass) process.exitCode = 1;

  if (flags.json) {
    writeJson({ model: modelPath, isa: engine.isa, threads: engine.threads, atol: flags.atol, rtol: flags.rtol, inputs: inputs.map((i) => ({ name: i.name, shape: i.tensor.shape, source: i.source })), outputs, pass });
    return;
  }
  const header = ['output', 'shape', 'max abs', 'max rel', 'rel L2', 'mismatches', ''].map((h) => out.dim(h));
  const rows = outputs.map((o) => [
    o.name,
    formatShape(o.shape),
    ...(o.problem ? [o.problem, '', '', ''] : [formatValue(o.maxAbs!), formatValue(o.maxRel!), formatValue(o.relL2!), String(o.mismatches)]),
    o.pass ? out.green('PASS') : out.red('FAIL'),
  ]);
  const lines = [
    `${modelPath}: Kiln (${engine.isa}, ${plural(engine.threads, 'thread')}) against onnxruntime-node; inputs ${inputs.map((i) => `${i.name} ${formatShape(i.tensor.shape)} ${i.source}`).join(', ')}`,
    ...table([header, ...rows], [2, 3, 4, 5]),
  ];
  for (const o of outputs) {
    if (!o.pass && o.worst) lines.push(`${o.name}: largest difference at flat index ${o.worst.index}: Kiln ${o.worst.actual.toPrecision(8)}, onnxruntime ${o.worst.expected.toPrecision(8)}`);
  }
  const verdict = `${outputs.filter((o) => o.pass).length} of ${outputs.length} outputs within atol ${flags.atol}, rtol ${flags.rtol}`;
  lines.push(pass ? out.green(`PASS: ${verdict}`) : out.red(`FAIL: ${verdict}`));
  process.stdout.write(`${lines.join('\n')}\n`);
}
