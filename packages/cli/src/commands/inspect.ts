import type { Command } from 'commander';
import { Runtime, supportedIsas, type Engine, type EngineLayerInfo, type EngineTensorInfo, type Isa, type NetworkDefinition, type PlanHeader } from '@kiln/core';
import { out } from '../colors.js';
import { countBy, formatBytes, plural, table, writeJson } from '../format.js';
import { createLogger } from '../logging.js';
import { buildFromOnnx, loadPlan, readModelFile } from '../model.js';
import { isaOption, threadsOption, verboseOption } from '../options.js';
import { formatShape } from '../shapes.js';

interface InspectFlags {
  json?: boolean;
  threads?: number;
  isa?: Isa;
  verbose?: boolean;
}

interface Inspection {
  file: string;
  kind: 'plan' | 'onnx';
  plan: PlanHeader & { bytes: number };
  /** The instruction sets this CPU runs. */
  cpuIsas: string[];
  isa: string;
  threads: number;
  inputs: readonly EngineTensorInfo[];
  outputs: readonly EngineTensorInfo[];
  build: Engine['build'];
  metadata: Readonly<Record<string, string>>;
  layerTypes: Record<string, number>;
  layers: readonly EngineLayerInfo[];
  /** For an ONNX model: the parsed network's op counts, before optimization. */
  network?: { layers: number; ops: Record<string, number> };
}

const METADATA_WIDTH = 72;

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description("show an engine's inputs, outputs, layers and chosen tactics (building ONNX models in memory)")
    .argument('<model>', 'a .kiln engine or an ONNX model')
    .option('--json', 'print one JSON object')
    .addOption(threadsOption())
    .addOption(isaOption())
    .addOption(verboseOption())
    .addHelpText(
      'after',
      `
For each layer: its type, the tactic (kernel) chosen, and the measured time of every candidate
tactic where there was a choice (the chosen one is starred).

Examples:
  $ kiln inspect yolov5n.kiln
  $ kiln inspect yolov5n.onnx --json
`,
    )
    .action(inspect);
}

async function inspect(modelPath: string, flags: InspectFlags): Promise<void> {
  const verbose = Boolean(flags.verbose);
  const logger = createLogger(verbose);
  const model = await readModelFile(modelPath);
  let engine: Engine;
  let header: PlanHeader;
  let planBytes: number;
  let network: NetworkDefinition | undefined;
  if (model.kind === 'plan') {
    ({ engine, header } = loadPlan(model, flags.threads, logger));
    planBytes = model.bytes.length;
  } else {
    ({ engine, network } = await buildFromOnnx(model, { threads: flags.threads, isa: flags.isa }, logger, verbose));
    const plan = engine.serialize();
    header = Runtime.checkEngine(plan).header!;
    planBytes = plan.length;
  }
  const inspection: Inspection = {
    file: modelPath,
    kind: model.kind,
    plan: { ...header, bytes: planBytes },
    cpuIsas: supportedIsas(),
    isa: engine.isa,
    threads: engine.threads,
    inputs: engine.inputs,
    outputs: engine.outputs,
    build: engine.build,
    metadata: engine.modelMetadata,
    layerTypes: Object.fromEntries(countBy(engine.layers, (l) => l.type)),
    layers: engine.layers,
    ...(network && { network: { layers: network.layers.length, ops: Object.fromEntries(countBy(network.layers, (l) => l.type)) } }),
  };
  if (flags.json) writeJson(inspection);
  else printInspection(inspection);
}

function counts(record: Record<string, number>): string {
  return Object.entries(record)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
}

function tensors(list: readonly EngineTensorInfo[]): string {
  return list.map((t) => `${t.name} ${t.dtype} ${formatShape(t.shape)}`).join(', ');
}

function printInspection(x: Inspection): void {
  const p = x.plan;
  const lines = [
    out.bold(`${x.file}`) + ` (${x.kind === 'plan' ? 'Kiln engine' : 'ONNX model, built in memory'}; plan ${formatBytes(p.bytes)})`,
    ...table([
      ['plan', `format ${p.formatVersion}, Kiln ${p.kilnVersion}, built for ${p.isa} with ${plural(p.threads, 'thread')}`],
      ['engine', `${x.isa}, ${plural(x.threads, 'thread')}, ${x.build.precision}${x.build.layout ? `, ${x.build.layout === 'blocked' ? 'channel-blocked' : 'NCHW'} layout` : ''} (this CPU runs ${x.cpuIsas.join(', ')})`],
      ['inputs', tensors(x.inputs)],
      ['outputs', tensors(x.outputs)],
      ['layers', `${x.build.layersBefore} parsed, ${x.build.layersAfter} after optimization: ${counts(x.layerTypes)}`],
      ...(x.network ? [['ONNX ops', counts(x.network.ops)]] : []),
      ...Object.entries(x.metadata).map(([key, value]) => [`meta ${key}`, value.length > METADATA_WIDTH ? `${value.slice(0, METADATA_WIDTH)}...` : value]),
    ]),
    '',
  ];
  const header = ['#', 'layer', 'type', 'tactic', 'timings (ms)'].map((h) => out.dim(h));
  const rows = x.layers.map((layer, i) => [
    String(i),
    layer.name,
    layer.type,
    layer.tactic,
    layer.timings.map((t) => `${t.tactic} ${t.ms.toFixed(3)}${t.tactic === layer.tactic ? '*' : ''}`).join(', '),
  ]);
  lines.push(...table([header, ...rows], [0]));
  if (x.kind === 'plan' && x.layers.every((l) => l.timings.length === 0)) {
    lines.push(out.dim('(a plan keeps the chosen tactics, not their timings: inspect the ONNX model to see those)'));
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
