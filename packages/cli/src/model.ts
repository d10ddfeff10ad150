import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Builder, NetworkDefinition, Runtime, type Engine, type Int8Calibrator, type Isa, type Logger, type PlanHeader } from '@kiln/core';
import { OnnxParseError, OnnxParser } from '@kiln/parser-onnx';
import { CliError } from './errors.js';
import { plugins } from './plugins.js';
import { BuildProgress } from './progress.js';
import { resolveProfiles, type ProfileSpecs } from './shapes.js';

export interface ModelFile {
  kind: 'onnx' | 'plan';
  path: string;
  bytes: Uint8Array;
}

const PLAN_MAGIC = 'KILN';

/** Reads a model or engine file; a plan is recognised by its magic or its .kiln extension. */
export async function readModelFile(file: string): Promise<ModelFile> {
  const bytes = await readFile(file);
  const isPlan = bytes.subarray(0, 4).toString('latin1') === PLAN_MAGIC || path.extname(file).toLowerCase() === '.kiln';
  return { kind: isPlan ? 'plan' : 'onnx', path: file, bytes };
}

function parseOnnx(file: ModelFile, logger: Logger): NetworkDefinition {
  const network = new NetworkDefinition();
  try {
    new OnnxParser(network, { logger, plugins: plugins() }).parse(file.bytes, { modelPath: file.path });
  } catch (error) {
    if (error instanceof OnnxParseError) throw new CliError(`${file.path}: ${error.message}`);
    throw error;
  }
  return network;
}

export interface BuildSettings {
  precision?: 'fp32' | 'int8';
  threads?: number;
  isa?: Isa;
  timing?: boolean;
  /** Tensor layout (--layout): 'blocked' runs convolution regions channel-blocked, 'auto' times that against 'nchw'. */
  layout?: 'auto' | 'blocked' | 'nchw';
  /** A timing cache file (--timing-cache). */
  timingCache?: string;
  /** INT8: makes the calibrator once the network is parsed. */
  calibrator?: (network: NetworkDefinition) => Int8Calibrator;
  /** INT8: known [min, max] ranges of tensors (--dynamic-range). */
  dynamicRanges?: Record<string, [number, number]>;
  /** --shapes and --min/--opt/--max-shapes, checked against the parsed network's inputs. */
  profiles?: ProfileSpecs;
}

/** Parses an ONNX model and builds it, with a progress bar through both. */
export async function buildFromOnnx(model: ModelFile, settings: BuildSettings, logger: Logger, verbose: boolean): Promise<{ network: NetworkDefinition; engine: Engine }> {
  const progress = BuildProgress.forTerminal(verbose);
  try {
    progress.update('parsing', 0, 1);
    const network = parseOnnx(model, logger);
    progress.update('parsing', 1, 1);
    const engine = await new Builder({ logger, plugins: plugins() }).build(network, {
      precision: settings.precision,
      threads: settings.threads,
      isa: settings.isa,
      timeTactics: settings.timing,
      layout: settings.layout,
      timingCache: settings.timingCache,
      calibrator: settings.calibrator?.(network),
      dynamicRanges: settings.dynamicRanges,
      profiles: resolveProfiles(network.inputs, settings.profiles ?? {}),
      onProgress: progress.update,
    });
    return { network, engine };
  } finally {
    progress.stop();
  }
}

/** Checks a plan against this machine before loading it, so a foreign plan fails with the reason. */
export function loadPlan(file: ModelFile, threads: number | undefined, logger: Logger): { engine: Engine; header: PlanHeader } {
  const check = Runtime.checkEngine(file.bytes);
  if (!check.header || check.problems.length) throw new CliError(`${file.path}: ${check.problems.join('; ')}`);
  const engine = new Runtime({ logger, threads, plugins: plugins() }).deserialize(file.bytes);
  return { engine, header: check.header };
}

export interface OpenedModel {
  file: ModelFile;
  engine: Engine;
  /** The parsed network, before optimization, when the file was an ONNX model. */
  network?: NetworkDefinition;
}

/** An engine from either kind of file: loaded from a plan, or built in memory from ONNX. */
export async function openEngine(model: ModelFile, settings: BuildSettings, logger: Logger, verbose: boolean): Promise<OpenedModel> {
  if (model.kind === 'onnx') return { file: model, ...(await buildFromOnnx(model, settings, logger, verbose)) };
  if (settings.isa) throw new CliError(`--isa applies when building from an ONNX model; ${model.path} is an engine already built for one ISA`);
  return { file: model, engine: loadPlan(model, settings.threads, logger).engine };
}
