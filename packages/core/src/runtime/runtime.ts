import { z } from 'zod';
import { PlanError } from '../errors.js';
import { supportedIsas } from '../isa.js';
import { Logger } from '../logger.js';
import { native } from '../native.js';
import { fromNativeError, nativeCallSync } from '../native-errors.js';
import { parseOptions } from '../options.js';
import { PluginRegistry } from '../plugins/plugin-registry.js';
import { Engine } from './engine.js';
import type { EngineMetadata } from './engine-metadata.js';

const runtimeOptionsSchema = z.strictObject({
  logger: z.instanceof(Logger).optional(),
  /** Threads for engines this runtime loads; default: what the engine was built with. */
  threads: z.number().int().min(0).max(1024).optional(),
  /** The plugin libraries engines with custom layers need. */
  plugins: z.instanceof(PluginRegistry).optional(),
});
export type RuntimeOptions = z.input<typeof runtimeOptionsSchema>;

export interface PlanHeader {
  formatVersion: number;
  kilnVersion: string;
  isa: string;
  threads: number;
}

export interface EngineCheck {
  /** The plan's header, when it could be read. */
  header?: PlanHeader;
  /** Why this machine cannot run the plan; empty when it can. */
  problems: string[];
}

/** Loads engines from plan bytes. */
export class Runtime {
  private readonly threads?: number;
  private readonly logger: Logger;
  private readonly plugins?: PluginRegistry;

  constructor(options: RuntimeOptions = {}) {
    const parsed = parseOptions(runtimeOptionsSchema, options, 'Runtime options');
    this.threads = parsed.threads;
    this.logger = parsed.logger ?? new Logger();
    this.plugins = parsed.plugins;
  }

  /** Loads a plan written by `engine.serialize()`; throws PlanError for a bad or foreign plan. */
  deserialize(bytes: Uint8Array): Engine {
    if (!(bytes instanceof Uint8Array)) throw new PlanError('KILN_PLAN_MAGIC', 'deserialize expects the plan as a Uint8Array or Buffer');
    const nativeEngine = nativeCallSync(() => native.deserialize(bytes, this.threads, this.plugins?.native));
    let metadata: EngineMetadata;
    try {
      metadata = JSON.parse(nativeEngine.info().userMetadata) as EngineMetadata;
    } catch {
      throw new PlanError('KILN_PLAN_CORRUPT', 'the plan carries unreadable engine metadata');
    }
    const engine = new Engine(nativeEngine, metadata);
    this.logger.info(`loaded an engine for ${engine.isa} (${engine.layers.length} layers)`);
    return engine;
  }

  /** Reads a plan's header and says whether this machine can run it, without loading it. */
  static checkEngine(bytes: Uint8Array): EngineCheck {
    let header: PlanHeader;
    try {
      header = native.readPlanHeader(bytes);
    } catch (error) {
      return { problems: [(fromNativeError(error) as Error).message] };
    }
    const problems: string[] = [];
    if (!supportedIsas().includes(header.isa as never)) problems.push(`built for '${header.isa}', which this CPU lacks (it has ${supportedIsas().join(', ')})`);
    return { header, problems };
  }
}
