import type { NativeEngine } from '../native.js';
import { nativeCallSync } from '../native-errors.js';
import { KILN_VERSION } from '../version.js';
import type { EngineMetadata, EngineTensorInfo } from './engine-metadata.js';
import { ExecutionContext } from './execution-context.js';

export interface EngineLayerInfo {
  name: string;
  type: string;
  /** The kernel chosen for this layer. */
  tactic: string;
  /** Measured time of each candidate tactic, when there was a choice. */
  timings: { tactic: string; ms: number }[];
  /** When the tactics were timed: what their speed depends on (the timing cache's key). */
  timingKey?: string;
  /** The timings came from the timing cache instead of being measured in this build. */
  timingsFromCache?: boolean;
}

/** A built network: serialize it to a plan, or create contexts to run it. */
export class Engine {
  readonly inputs: readonly EngineTensorInfo[];
  readonly outputs: readonly EngineTensorInfo[];
  /** The source model's metadata, e.g. YOLOv5's `names`. */
  readonly modelMetadata: Readonly<Record<string, string>>;
  readonly isa: string;
  readonly threads: number;
  readonly layers: readonly EngineLayerInfo[];
  readonly build: EngineMetadata['build'];

  /** @internal */
  constructor(private readonly nativeEngine: NativeEngine, metadata: EngineMetadata) {
    const info = nativeEngine.info();
    this.inputs = metadata.inputs;
    this.outputs = metadata.outputs;
    this.modelMetadata = metadata.modelMetadata;
    this.build = metadata.build;
    this.isa = info.isa;
    this.threads = info.threads;
    this.layers = info.layers;
  }

  /** The plan file's bytes (`.kiln`); `Runtime.deserialize` loads them. */
  serialize(): Uint8Array {
    return nativeCallSync(() => new Uint8Array(this.nativeEngine.serialize(KILN_VERSION)));
  }

  createContext(): ExecutionContext {
    return new ExecutionContext(this.nativeEngine.createContext(), this.inputs, this.outputs, this.layers);
  }
}
