import { z } from 'zod';
import { BuildError } from '../errors.js';
import { defaultIsa, supportedIsas, type Isa } from '../isa.js';
import { Logger } from '../logger.js';
import { native } from '../native.js';
import { nativeCall } from '../native-errors.js';
import type { NetworkDefinition } from '../network/network.js';
import { optimizeNetwork } from '../optimizer/optimize.js';
import { parseOptions } from '../options.js';
import { PluginRegistry } from '../plugins/plugin-registry.js';
import { Engine } from '../runtime/engine.js';
import type { EngineMetadata } from '../runtime/engine-metadata.js';
import { lowerNetwork } from './lowering/index.js';

export type BuildPhase = 'optimizing' | 'lowering' | 'compiling' | 'timing tactics';
export type ProgressCallback = (phase: BuildPhase, done: number, total: number) => void;

const dims = z.array(z.number().int().nonnegative());

const buildOptionsSchema = z.strictObject({
  precision: z.enum(['fp32', 'int8']).default('fp32'),
  /** Threads of the engine's pool; 0 = one per core. */
  threads: z.number().int().min(0).max(1024).default(0),
  /** The instruction-set path; default: the best this CPU has (or KILN_ISA). */
  isa: z.enum(['scalar', 'avx2', 'avx512']).optional(),
  /** Time every candidate kernel per layer and keep the fastest (else the first that applies). */
  timeTactics: z.boolean().default(true),
  /** Per input with dynamic dimensions: the smallest, typical and largest shapes to accept. */
  profiles: z.record(z.string(), z.strictObject({ min: dims, opt: dims, max: dims })).default({}),
  onProgress: z.custom<ProgressCallback>((v) => typeof v === 'function', 'a function (phase, done, total) => void').optional(),
});

export type BuildOptions = z.input<typeof buildOptionsSchema>;

const builderOptionsSchema = z.strictObject({ logger: z.instanceof(Logger).optional(), plugins: z.instanceof(PluginRegistry).optional() });
export type BuilderOptions = z.input<typeof builderOptionsSchema>;

/** Optimizes a network and compiles it into an Engine for this machine. */
export class Builder {
  private readonly logger: Logger;
  private readonly plugins?: PluginRegistry;

  constructor(options: BuilderOptions = {}) {
    const parsed = parseOptions(builderOptionsSchema, options, 'Builder options');
    this.logger = parsed.logger ?? new Logger();
    this.plugins = parsed.plugins;
  }

  async build(network: NetworkDefinition, options: BuildOptions = {}): Promise<Engine> {
    const opts = parseOptions(buildOptionsSchema, options, 'build options');
    const isa: Isa = opts.isa ?? defaultIsa();
    if (!supportedIsas().includes(isa)) throw new BuildError(`this CPU cannot run the '${isa}' path (it has ${supportedIsas().join(', ')})`, undefined, 'KILN_ISA');
    if (opts.precision === 'int8') throw new BuildError("precision 'int8' is not implemented yet; build with 'fp32'", undefined, 'KILN_UNSUPPORTED');
    const progress = opts.onProgress ?? (() => {});
    if (!network.outputs.length) throw new BuildError('the network has no outputs');
    for (const name of Object.keys(opts.profiles)) {
      if (!network.isInput(name)) throw new BuildError(`a profile names '${name}', which is not an input of the network`);
    }

    progress('optimizing', 0, 1);
    const { network: optimized, report } = optimizeNetwork(network, this.logger, { plugins: this.plugins });
    progress('optimizing', 1, 1);
    this.logger.info(`optimized ${report.layersBefore} layers into ${report.layersAfter}`);

    progress('lowering', 0, 1);
    const { graph, infos } = lowerNetwork(optimized, opts.profiles, this.plugins);
    const metadata: EngineMetadata = {
      inputs: optimized.inputs.map((i) => ({ name: i.name, dtype: i.dtype, shape: [...i.shape] })),
      outputs: optimized.outputs.map((name) => ({ name, dtype: infos.get(name)?.dtype ?? 'float32', shape: infos.get(name)?.shape ?? [] })),
      modelMetadata: { ...network.metadata },
      build: { layersBefore: report.layersBefore, layersAfter: report.layersAfter, precision: opts.precision },
    };
    progress('lowering', 1, 1);

    progress('compiling', 0, 1);
    const nativeEngine = await nativeCall(() =>
      native.buildEngine(graph, { isa, threads: opts.threads, timeTactics: opts.timeTactics, userMetadata: JSON.stringify(metadata), plugins: this.plugins?.native }, (_phase, done, total) =>
        progress('timing tactics', done, total),
      ),
    );
    progress('compiling', 1, 1);
    const engine = new Engine(nativeEngine, metadata);
    this.logger.info(`built for ${engine.isa} with ${engine.threads} threads`);
    return engine;
  }
}
