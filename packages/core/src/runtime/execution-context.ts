import { InputError, KilnError } from '../errors.js';
import type { NativeContext } from '../native.js';
import { nativeCall, nativeCallSync } from '../native-errors.js';
import type { TensorStatistics } from '../quantization/calibrator.js';
import { isTypedArrayFor, type Tensor, type TypedArray } from '../tensor.js';

const TYPED_ARRAY_NAMES = { float32: 'Float32Array', float16: 'Uint16Array', int8: 'Int8Array', uint8: 'Uint8Array', int32: 'Int32Array', int64: 'BigInt64Array', bool: 'Uint8Array' } as const;
import type { EngineTensorInfo } from './engine-metadata.js';

export type TensorMap = Record<string, Tensor>;

export interface LayerProfile {
  name: string;
  type: string;
  /** Mean milliseconds per execute. */
  ms: number;
  /** Share of the summed layer time, 0–1. */
  share: number;
}

/**
 * Runs inferences of one engine. `execute` returns a Promise and computes off the event loop;
 * calls on one context are queued, so create one context per concurrent request stream (contexts
 * share the engine's weights, each has its own activation memory).
 */
export class ExecutionContext {
  private queue: Promise<unknown> = Promise.resolve();
  private pending = 0;

  constructor(
    private readonly nativeContext: NativeContext,
    readonly inputs: readonly EngineTensorInfo[],
    readonly outputs: readonly EngineTensorInfo[],
    private readonly layers: readonly { name: string; type: string }[],
  ) {}

  /**
   * Plans shapes and memory for these input shapes ahead of `execute` (TensorRT's
   * setInputShape), checking them against the engine's inputs and profiles, and returns the
   * output shapes they give. `execute` plans on its own when its inputs' shapes change.
   */
  async setInputShapes(shapes: Record<string, number[]>): Promise<Record<string, number[]>> {
    for (const name of Object.keys(shapes)) {
      if (!this.inputs.some((i) => i.name === name)) throw new InputError(`unknown input '${name}'`, name);
    }
    const list = this.inputs.map((info) => {
      const shape = shapes[info.name];
      if (!shape) throw new InputError(`missing a shape for input '${info.name}' ([${info.shape.join(', ')}])`, info.name);
      if (shape.length !== info.shape.length || shape.some((d, i) => !Number.isInteger(d) || d < 0 || (typeof info.shape[i] === 'number' && d !== info.shape[i]))) {
        throw new InputError(`input '${info.name}' must have shape [${info.shape.join(', ')}], got [${shape.join(', ')}]`, info.name);
      }
      return [...shape];
    });
    await this.queue;
    const outputs = nativeCallSync(() => this.nativeContext.setInputShapes(list));
    return Object.fromEntries(this.outputs.map((info, i) => [info.name, outputs[i]]));
  }

  /** Starts (or stops) timing every layer of every execute; `profile()` reads the result. */
  async setProfiling(on: boolean): Promise<void> {
    await this.queue;
    this.nativeContext.setProfiling(on);
  }

  /** Mean time per layer over the executes since profiling started, slowest first. */
  profile(): LayerProfile[] {
    const { runs, layerMillis } = this.nativeContext.profile();
    const total = layerMillis.reduce((a, b) => a + b, 0) || 1;
    return this.layers
      .map((layer, i) => ({ name: layer.name, type: layer.type, ms: runs ? (layerMillis[i] ?? 0) / runs : 0, share: (layerMillis[i] ?? 0) / total }))
      .sort((a, b) => b.ms - a.ms);
  }

  /**
   * @internal Calibration: from now on every execute adds these float32 tensors' values to
   * native histograms (`initialBins` over the first batch's range).
   */
  async observe(tensorNames: string[], initialBins: number): Promise<void> {
    await this.queue;
    nativeCallSync(() => this.nativeContext.observe(tensorNames, initialBins));
  }

  /** @internal What the observed tensors held over the executes since `observe`. */
  async statistics(): Promise<Map<string, TensorStatistics>> {
    await this.queue;
    return new Map(this.nativeContext.statistics().map(({ name, ...stats }) => [name, stats]));
  }

  /** Bytes of activation and scratch memory planned for the last input shapes. */
  get memoryBytes(): number {
    return this.nativeContext.arenaBytes();
  }

  execute(inputs: TensorMap): Promise<TensorMap> {
    const data = this.validate(inputs);
    this.pending += 1;
    const run = this.queue.then(() => this.run(data.arrays, data.shapes));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Runs one inference on the calling thread and returns its outputs (TensorRT's executeV2 beside
   * enqueueV3). It blocks the event loop for the whole inference, but saves the ~30–80 µs that
   * handing `execute`'s work to a worker thread and back costs: for models that run in tens of
   * microseconds, or for scripts with no event loop to keep free. Throws while an `execute` of
   * this context is queued or running.
   */
  executeSync(inputs: TensorMap): TensorMap {
    const data = this.validate(inputs);
    if (this.pending > 0) throw new KilnError('KILN_CONTEXT_BUSY', `executeSync: this context has ${this.pending} execute call(s) queued or running; await them first, or use another context`);
    return this.outputMap(nativeCallSync(() => this.nativeContext.executeSync(data.arrays, data.shapes)));
  }

  private async run(arrays: TypedArray[], shapes: number[][]): Promise<TensorMap> {
    try {
      return this.outputMap(await nativeCall(() => this.nativeContext.execute(arrays, shapes)));
    } finally {
      this.pending -= 1;
    }
  }

  private outputMap(result: { outputs: TypedArray[]; shapes: number[][] }): TensorMap {
    const out: TensorMap = {};
    this.outputs.forEach((info, i) => {
      // An output whose length depends on the data (NonMaxSuppression) was allocated for its upper bound.
      const count = result.shapes[i].reduce((a, b) => a * b, 1);
      const data = result.outputs[i].length > count ? result.outputs[i].subarray(0, count) : result.outputs[i];
      out[info.name] = { dtype: info.dtype, shape: result.shapes[i], data } as Tensor;
    });
    return out;
  }

  private validate(inputs: TensorMap): { arrays: TypedArray[]; shapes: number[][] } {
    if (!inputs || typeof inputs !== 'object') throw new InputError('execute expects an object mapping input names to tensors');
    const expected = this.inputs.map((i) => i.name);
    const unknown = Object.keys(inputs).filter((name) => !expected.includes(name));
    if (unknown.length) throw new InputError(`unknown input${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `'${n}'`).join(', ')}; the engine's inputs are ${expected.map((n) => `'${n}'`).join(', ')}`, unknown[0]);
    const arrays: TypedArray[] = [];
    const shapes: number[][] = [];
    for (const info of this.inputs) {
      const tensor = inputs[info.name];
      const expectedShape = `[${info.shape.join(', ')}]`;
      if (!tensor) throw new InputError(`missing input '${info.name}' (${info.dtype} ${expectedShape})`, info.name);
      if (tensor.dtype !== info.dtype) throw new InputError(`input '${info.name}' must be ${info.dtype}, got ${tensor.dtype}`, info.name);
      if (!isTypedArrayFor(info.dtype, tensor.data)) throw new InputError(`input '${info.name}' data must be a ${TYPED_ARRAY_NAMES[info.dtype]} for ${info.dtype}`, info.name);
      const shape = tensor.shape;
      const rankOk = Array.isArray(shape) && shape.length === info.shape.length;
      const dimsOk = rankOk && shape.every((d, i) => Number.isInteger(d) && d >= 0 && (typeof info.shape[i] === 'string' || d === info.shape[i]));
      if (!dimsOk) throw new InputError(`input '${info.name}' must have shape ${expectedShape}, got [${shape?.join(', ')}]`, info.name);
      const count = shape.reduce((a, b) => a * b, 1);
      if (tensor.data.length !== count) throw new InputError(`input '${info.name}' has ${tensor.data.length} values, its shape [${shape.join(', ')}] needs ${count}`, info.name);
      arrays.push(tensor.data);
      shapes.push([...shape]);
    }
    return { arrays, shapes };
  }
}
