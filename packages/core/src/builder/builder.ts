import { z } from 'zod';
import { BuildError, OptionsError } from '../errors.js';
import { analyze } from '../optimizer/analysis/analyze.js';
import type { ValueInfo } from '../optimizer/analysis/shape-rules.js';
import { calibratedTensors, collectStatistics } from '../quantization/calibrate.js';
import type { Int8Calibrator } from '../quantization/calibrator.js';
import { extractExplicitScales } from '../quantization/explicit-quantization.js';
import { quantizeNetwork, type QuantizationReport } from '../quantization/quantize-network.js';
import { defaultIsa, int8Support, supportedIsas, type Isa } from '../isa.js';
import { Logger } from '../logger.js';
import { native } from '../native.js';
import { nativeCall } from '../native-errors.js';
import type { NetworkDefinition } from '../network/network.js';
import { fuseConvResidualAdds } from '../optimizer/conv-residual-add-fusion.js';
import { fuseYoloHeads } from '../optimizer/yolo-head-fusion.js';
import { blockChannels } from '../optimizer/channel-blocking.js';
import { fuseBottlenecks } from '../optimizer/bottleneck-fusion.js';
import { fuseStems } from '../optimizer/stem-fusion.js';
import { optimizeNetwork } from '../optimizer/optimize.js';
import { parseOptions } from '../options.js';
import { PluginRegistry } from '../plugins/plugin-registry.js';
import { Engine } from '../runtime/engine.js';
import type { EngineMetadata } from '../runtime/engine-metadata.js';
import { timeEngines } from './layout-timing.js';
import { lowerNetwork } from './lowering/index.js';
import { readTimingCache, writeTimingCache } from './timing-cache.js';

export type BuildPhase = 'optimizing' | 'calibrating' | 'lowering' | 'compiling' | 'timing tactics' | 'timing layouts';
export type ProgressCallback = (phase: BuildPhase, done: number, total: number) => void;

const dims = z.array(z.number().int().nonnegative());

const buildOptionsSchema = z.strictObject({
  precision: z.enum(['fp32', 'int8']).default('fp32'),
  /** INT8 only: the calibration data and method (see @kiln/calibrator). */
  calibrator: z
    .custom<Int8Calibrator>((v) => !!v && typeof v === 'object' && typeof (v as Int8Calibrator).batches === 'function' && typeof (v as Int8Calibrator).computeScales === 'function', 'an Int8Calibrator (batches() and computeScales())')
    .optional(),
  /** INT8 only: per layer name, a precision that overrides Kiln's choice. */
  layerPrecision: z.record(z.string(), z.enum(['int8', 'fp32'])).default({}),
  /** INT8 only: tensors whose value range is known (TensorRT's setDynamicRange), e.g. { images: [0, 1] }. */
  dynamicRanges: z
    .record(z.string(), z.tuple([z.number(), z.number()]).refine(([min, max]) => min <= max && (min !== 0 || max !== 0), 'a [min, max] range with min ≤ max, not [0, 0]'))
    .default({}),
  /** Threads of the engine's pool; 0 = one per core. */
  threads: z.number().int().min(0).max(1024).default(0),
  /** The instruction-set path; default: the best this CPU has (or KILN_ISA). */
  isa: z.enum(['scalar', 'avx2', 'avx512']).optional(),
  /**
   * 'blocked': regions of convolutions run in the channel-blocked layout NCHW16c where the layout
   * pass finds them large enough to pay for their conversions; 'nchw': every tensor stays NCHW;
   * 'auto': both are built and timed end to end (at the profiles' typical shapes), the faster kept
   * (with `timeTactics: false`, 'blocked' without timing).
   */
  layout: z.enum(['auto', 'blocked', 'nchw']).default('auto'),
  /** Time every candidate kernel per layer and keep the fastest (else the first that applies). */
  timeTactics: z.boolean().default(true),
  /**
   * A timing cache file (TensorRT's timing cache): layers whose timing key (ISA, threads, type,
   * attributes, input shapes) is in it take its timings instead of being timed again; every timing
   * measured is added to it. Created when missing; ignored, with a warning, when written by another
   * Kiln version or on another CPU model.
   */
  timingCache: z.string().min(1).optional(),
  /** Per input with dynamic dimensions: the smallest, typical and largest shapes to accept. */
  profiles: z.record(z.string(), z.strictObject({ min: dims, opt: dims, max: dims })).default({}),
  onProgress: z.custom<ProgressCallback>((v) => typeof v === 'function', 'a function (phase, done, total) => void').optional(),
});

export type BuildOptions = z.input<typeof buildOptionsSchema>;
type ParsedBuildOptions = z.output<typeof buildOptionsSchema>;

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
    const explicit = opts.precision === 'int8' ? extractExplicitScales(network) : undefined;
    if (opts.precision === 'int8' && !opts.calibrator && !explicit) throw new OptionsError("invalid build options: precision 'int8' needs a calibrator (see @kiln/calibrator), or a model with Q/DQ nodes");
    const progress = opts.onProgress ?? (() => {});
    if (!network.outputs.length) throw new BuildError('the network has no outputs');
    for (const name of Object.keys(opts.profiles)) {
      if (!network.isInput(name)) throw new BuildError(`a profile names '${name}', which is not an input of the network`);
    }

    progress('optimizing', 0, 1);
    const { network: optimized, report } = optimizeNetwork(explicit?.network ?? network, this.logger, { plugins: this.plugins });
    progress('optimizing', 1, 1);
    this.logger.info(`optimized ${report.layersBefore} layers into ${report.layersAfter}`);

    let target = optimized;
    if (opts.precision === 'int8') {
      const { infos } = analyze(optimized, this.plugins);
      if (explicit) this.logger.info(`INT8: the model's Q/DQ nodes give ${explicit.scales.size} tensor ranges${opts.calibrator ? ' (the calibrator is not used)' : ''}`);
      const scales = explicit?.scales ?? (await this.calibrate(optimized, infos, opts, isa));
      const quantized = quantizeNetwork(optimized, infos, scales, { layerPrecision: opts.layerPrecision, explicit: !!explicit, dynamicRanges: opts.dynamicRanges });
      target = quantized.network;
      this.logPrecisions(quantized.report, optimized, opts.layerPrecision, isa);
    }
    // After INT8, which fuses residual Adds into its own convolutions and calibrates the unfused
    // FP32 graph: the residual Adds after FP32 convolutions go into their epilogues.
    const residuals = fuseConvResidualAdds(target, { plugins: this.plugins });
    this.logger.verbose(`conv+residual add fusion: ${residuals} change(s), ${target.layers.length} layers`);
    // Likewise after INT8: the head convolutions left in FP32 go into their YOLO decodes.
    const heads = fuseYoloHeads(target);
    this.logger.verbose(`YOLO head fusion: ${heads} change(s), ${target.layers.length} layers`);
    // Last: regions of convolutions into the channel-blocked layout.
    const blocked = opts.layout === 'nchw' ? undefined : this.blockRegions(target);
    const compile = (variant: NetworkDefinition, layout: 'blocked' | 'nchw') =>
      this.compile(variant, opts, isa, { layersBefore: report.layersBefore, layersAfter: variant.layers.length, precision: opts.precision, layout }, network.metadata);
    let engine: Engine;
    if (!blocked) engine = await compile(target, 'nchw');
    else if (opts.layout === 'blocked' || !opts.timeTactics) engine = await compile(blocked, 'blocked');
    else engine = await this.fasterLayout(await compile(blocked, 'blocked'), await compile(target, 'nchw'), opts);
    this.logger.info(`built for ${engine.isa} with ${engine.threads} threads`);
    return engine;
  }

  /**
   * A copy of the network with its regions of convolutions channel-blocked, its inverted residual
   * blocks and its image stem with the convolution after it one layer each; none if no region pays.
   */
  private blockRegions(network: NetworkDefinition): NetworkDefinition | undefined {
    const blocked = network.clone();
    const convs = blockChannels(blocked, { plugins: this.plugins });
    this.logger.verbose(`channel blocking: ${convs} convolution(s), ${blocked.layers.length} layers`);
    if (!convs) return undefined;
    const bottlenecks = fuseBottlenecks(blocked);
    this.logger.verbose(`bottleneck fusion: ${bottlenecks} inverted residual block(s), ${blocked.layers.length} layers`);
    const stems = fuseStems(blocked);
    this.logger.verbose(`stem fusion: ${stems} stem(s), ${blocked.layers.length} layers`);
    return blocked;
  }

  /** The faster of the channel-blocked and the all-NCHW engine, timed end to end. */
  private async fasterLayout(blocked: Engine, nchw: Engine, opts: ParsedBuildOptions): Promise<Engine> {
    const progress = opts.onProgress ?? (() => {});
    try {
      const [blockedMs, nchwMs] = await timeEngines([blocked, nchw], opts.profiles, (done, total) => progress('timing layouts', done, total));
      const keep = blockedMs! <= nchwMs! ? 'channel-blocked' : 'NCHW';
      this.logger.info(`layout: channel-blocked ${blockedMs!.toFixed(2)} ms, NCHW ${nchwMs!.toFixed(2)} ms per inference: keeping ${keep}`);
      return keep === 'NCHW' ? nchw : blocked;
    } catch (e) {
      this.logger.warning(`layout: could not time the two engines (${(e as Error).message}): keeping the channel-blocked one`);
      return blocked;
    }
  }

  private async compile(network: NetworkDefinition, opts: ParsedBuildOptions, isa: Isa, build: EngineMetadata['build'], modelMetadata: Record<string, string>): Promise<Engine> {
    const progress = opts.onProgress ?? (() => {});
    progress('lowering', 0, 1);
    const { graph, infos } = lowerNetwork(network, opts.profiles, this.plugins);
    const metadata: EngineMetadata = {
      inputs: network.inputs.map((i) => ({ name: i.name, dtype: i.dtype, shape: [...i.shape] })),
      outputs: network.outputs.map((name) => ({ name, dtype: infos.get(name)?.dtype ?? 'float32', shape: infos.get(name)?.shape ?? [] })),
      modelMetadata: { ...modelMetadata },
      build,
    };
    progress('lowering', 1, 1);

    const cacheFile = opts.timeTactics ? opts.timingCache : undefined;
    const knownTimings = cacheFile ? await readTimingCache(cacheFile, this.logger) : undefined;
    progress('compiling', 0, 1);
    const nativeEngine = await nativeCall(() =>
      native.buildEngine(
        graph,
        { isa, threads: opts.threads, timeTactics: opts.timeTactics, knownTimings, userMetadata: JSON.stringify(metadata), plugins: this.plugins?.native },
        (_phase, done, total) => progress('timing tactics', done, total),
      ),
    );
    progress('compiling', 1, 1);
    const engine = new Engine(nativeEngine, metadata);
    if (cacheFile) {
      const timed = engine.layers.filter((l) => l.timingKey);
      const reused = timed.filter((l) => l.timingsFromCache).length;
      const entries = await writeTimingCache(cacheFile, knownTimings ?? {}, engine);
      this.logger.info(`timing cache '${cacheFile}': ${reused} of ${timed.length} timed layers reused its timings; it holds ${Object.keys(entries).length} entries`);
    }
    return engine;
  }

  /** INT8 scales: from the calibrator's cache, or by running its batches through an FP32 engine. */
  private async calibrate(network: NetworkDefinition, infos: Map<string, ValueInfo>, opts: ParsedBuildOptions, isa: Isa): Promise<ReadonlyMap<string, number>> {
    const calibrator = opts.calibrator!;
    const cached = await calibrator.readCache?.();
    if (cached) {
      this.logger.info(`INT8: ${cached.size} scales from the calibration cache`);
      return cached;
    }
    const fp32 = await this.compile(network, { ...opts, timeTactics: false, onProgress: undefined }, isa, { layersBefore: 0, layersAfter: 0, precision: 'fp32' }, {});
    const progress = opts.onProgress ?? (() => {});
    const tensors = calibratedTensors(network, infos);
    const statistics = await collectStatistics(fp32, tensors, calibrator, (done, total) => progress('calibrating', done, total));
    const scales = calibrator.computeScales(statistics);
    this.logger.info(`INT8: calibrated ${scales.size} tensors (${calibrator.method})`);
    await calibrator.writeCache?.(scales);
    return scales;
  }

  private logPrecisions(report: QuantizationReport, network: NetworkDefinition, layerPrecision: Record<string, string>, isa: Isa): void {
    const unknown = Object.keys(layerPrecision).filter((name) => !network.layers.some((l) => l.name === name));
    if (unknown.length) this.logger.warning(`layerPrecision names no layer of the optimized network: ${unknown.map((n) => `'${n}'`).join(', ')}`);
    this.logger.info(`INT8: ${report.int8.length} layers in INT8, ${report.fp32.length} convolutions in FP32, ${report.quantizeLayers} quantize and ${report.dequantizeLayers} dequantize boundaries`);
    for (const name of report.int8) this.logger.verbose(`  int8  ${name}`);
    for (const { name, reason } of report.fp32) this.logger.verbose(`  fp32  ${name}: ${reason}`);
    const int8 = int8Support(isa);
    if (!int8.fast) this.logger.warning(`this CPU has no fast INT8 instructions (VNNI or AMX): INT8 layers run on the ${int8.path} path: correct, but far from the speed VNNI or AMX give`);
  }
}
