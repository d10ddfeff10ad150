import { writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { Option, type Command } from 'commander';
import type { Engine, Isa, NetworkDefinition } from '@kiln/core';
import { out } from '../colors.js';
import { CliError } from '../errors.js';
import { countBy, formatBytes, plural, table } from '../format.js';
import { createLogger } from '../logging.js';
import { buildFromOnnx, readModelFile } from '../model.js';
import { dynamicRangeSpec, integerAtLeast, isaOption, shapesOption, threadsOption, verboseOption } from '../options.js';
import { parseShapeSpecs, type ShapeSpecs } from '../shapes.js';
import { createCalibrator, type CalibratorName } from '../calibration.js';

interface BuildFlags {
  output: string;
  precision: 'fp32' | 'int8';
  threads?: number;
  isa?: Isa;
  shapes?: ShapeSpecs;
  minShapes?: ShapeSpecs;
  optShapes?: ShapeSpecs;
  maxShapes?: ShapeSpecs;
  timing: boolean;
  layout: 'auto' | 'blocked' | 'nchw';
  verbose?: boolean;
  calib?: string;
  calibCache?: string;
  calibrator: CalibratorName;
  calibCount?: number;
  dynamicRange?: Record<string, [number, number]>;
  timingCache?: string;
}

export function registerBuild(program: Command): void {
  program
    .command('build')
    .description('parse, optimize and build an ONNX model into a Kiln engine file (.kiln)')
    .argument('<model>', 'the ONNX model')
    .requiredOption('-o, --output <file>', 'where to write the engine')
    .addOption(new Option('--precision <precision>', 'arithmetic precision').choices(['fp32', 'int8']).default('fp32'))
    .addOption(threadsOption())
    .addOption(isaOption())
    .addOption(shapesOption('fixed shapes for dynamic inputs, name:DxD...[,name:...] (min = opt = max)'))
    .addOption(new Option('--min-shapes <specs>', 'smallest shapes a dynamic input accepts').argParser(parseShapeSpecs))
    .addOption(new Option('--opt-shapes <specs>', 'typical shapes, the ones tactics are timed on').argParser(parseShapeSpecs))
    .addOption(new Option('--max-shapes <specs>', 'largest shapes a dynamic input accepts').argParser(parseShapeSpecs))
    .option('--no-timing', 'keep the first kernel that applies to each layer instead of timing every tactic')
    .addOption(
      new Option('--layout <layout>', "tensor layout: 'blocked' runs regions of convolutions channel-blocked (NCHW16c), 'nchw' keeps every tensor NCHW, 'auto' builds both and keeps the faster")
        .choices(['auto', 'blocked', 'nchw'])
        .default('auto'),
    )
    .option('--calib <dir>', 'INT8: a folder of calibration images (letterboxed to the input size)')
    .option('--calib-cache <file>', 'INT8: calibration cache, used when it exists and written after calibrating')
    .addOption(new Option('--calibrator <method>', 'INT8 calibration method').choices(['entropy', 'minmax', 'percentile']).default('entropy'))
    .addOption(new Option('--calib-count <n>', 'INT8: calibrate on at most n images (the first by name)').argParser(integerAtLeast(1)))
    .addOption(
      new Option('--dynamic-range <name=min:max>', "INT8: a tensor's known range, used instead of calibrating it (repeatable; e.g. images=0:1 for images scaled to [0, 1])").argParser(
        dynamicRangeSpec,
      ),
    )
    .option('--timing-cache <file>', 'tactic timings: reused for layers already timed on this CPU, and every new one added (created when missing)')
    .addOption(verboseOption())
    .addHelpText(
      'after',
      `
Examples:
  $ kiln build yolov5n.onnx -o yolov5n.kiln
  $ kiln build yolov5n.onnx -o yolov5n-scalar.kiln --isa scalar --threads 1 --no-timing
  $ kiln build yolov5n-dynamic.onnx -o dyn.kiln --min-shapes images:1x3x640x640 --max-shapes images:8x3x640x640
  $ kiln build yolov5n-dynamic.onnx -o b4.kiln --shapes images:4x3x640x640
  $ kiln build yolov5n.onnx -o yolov5n.kiln --timing-cache kiln-timing.json
  $ kiln build yolov5n.onnx -o yolov5n-int8.kiln --precision int8 --calib images/calib --calib-count 200 --calib-cache yolov5n.calib --dynamic-range images=0:1
`,
    )
    .action(build);
}

async function build(modelPath: string, flags: BuildFlags): Promise<void> {
  const calibrating = flags.calib !== undefined || flags.calibCache !== undefined || flags.calibCount !== undefined || flags.dynamicRange !== undefined;
  if (calibrating && flags.precision !== 'int8') throw new CliError('--calib, --calib-cache, --calib-count and --dynamic-range only apply with --precision int8');
  const verbose = Boolean(flags.verbose);
  const model = await readModelFile(modelPath);
  if (model.kind === 'plan') throw new CliError(`${modelPath} is already a Kiln engine; build takes an ONNX model`);

  const start = performance.now();
  const { network, engine } = await buildFromOnnx(
    model,
    {
      precision: flags.precision,
      threads: flags.threads,
      isa: flags.isa,
      timing: flags.timing,
      layout: flags.layout,
      timingCache: flags.timingCache,
      calibrator: flags.precision === 'int8' ? (network) => createCalibrator(network, flags) : undefined,
      dynamicRanges: flags.dynamicRange,
      profiles: { shapes: flags.shapes, minShapes: flags.minShapes, optShapes: flags.optShapes, maxShapes: flags.maxShapes },
    },
    createLogger(verbose),
    verbose,
  );
  const plan = engine.serialize();
  await writeFile(flags.output, plan);
  const seconds = (performance.now() - start) / 1000;
  printSummary(flags.output, network, engine, plan.length, seconds);
}

function printSummary(output: string, network: NetworkDefinition, engine: Engine, planBytes: number, seconds: number): void {
  const lines: string[] = [];
  lines.push(out.green(`built ${output} in ${seconds.toFixed(2)} s`) + ` (${engine.isa}, ${plural(engine.threads, 'thread')}, ${engine.build.precision})`);
  lines.push(`layers: ${engine.build.layersBefore} parsed, ${engine.build.layersAfter} after optimization${engine.build.layout ? `, ${engine.build.layout === 'blocked' ? 'channel-blocked' : 'NCHW'} layout` : ''}`);
  const parsed = new Map(countBy(network.layers, (l) => l.type));
  const built = new Map(countBy(engine.layers, (l) => l.type));
  const types = [...new Set([...built.keys(), ...parsed.keys()])];
  lines.push(...table([[out.dim('type'), out.dim('parsed'), out.dim('engine')], ...types.map((t) => [t, String(parsed.get(t) ?? 0), String(built.get(t) ?? 0)])], [1, 2]));
  const timed = engine.layers.filter((l) => l.timings.length > 1).length;
  const cached = engine.layers.filter((l) => l.timingsFromCache).length;
  const tactics = countBy(engine.layers, (l) => l.tactic).map(([tactic, n]) => `${tactic} ${n}`);
  lines.push(`tactics: ${tactics.join(', ')} (${timed} layers chose between timed candidates${cached ? `, ${cached} with timings from the timing cache` : ''})`);
  lines.push(`engine: ${formatBytes(planBytes)}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
