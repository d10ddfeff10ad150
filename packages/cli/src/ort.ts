import type { Tensor } from '@kiln/core';
import { fromFloat16Bits } from '@kiln/preprocess';
import { CliError } from './errors.js';

export interface OrtOutput {
  shape: number[];
  dtype: string;
  /** float32 as it came, other types as float64 numbers. */
  data: Float32Array | Float64Array;
}

export interface OrtRunner {
  run(inputs: Record<string, Tensor<'float32'>>): Promise<Record<string, OrtOutput>>;
  /** A call that runs these inputs with the feeds made once, for timing. */
  bind(inputs: Record<string, Tensor<'float32'>>): () => Promise<unknown>;
  release(): Promise<void>;
}

async function reported<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new CliError(`onnxruntime-node: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * An onnxruntime-node session set up to be measured beside Kiln: as many intra-op threads, all
 * graph optimizations, and workers that sleep between runs (spinning ones would steal the cores
 * Kiln runs on next when the two are interleaved). Loaded on demand: only bench and compare need it.
 */
export async function createOrtRunner(modelPath: string, threads: number): Promise<OrtRunner> {
  const ort = await import('onnxruntime-node');
  const session = await reported(() =>
    ort.InferenceSession.create(modelPath, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      extra: { session: { 'intra_op.allow_spinning': '0' } },
    }),
  );
  const toFeeds = (inputs: Record<string, Tensor<'float32'>>) =>
    Object.fromEntries(Object.entries(inputs).map(([name, t]) => [name, new ort.Tensor('float32', t.data, t.shape)]));
  return {
    async run(inputs) {
      const results = await reported(() => session.run(toFeeds(inputs)));
      return Object.fromEntries(
        Object.entries(results).map(([name, t]) => {
          const data = t.data instanceof Float32Array ? t.data : t.type === 'float16' ? Float64Array.from(t.data as Uint16Array, fromFloat16Bits) : Float64Array.from(t.data as ArrayLike<number | bigint>, Number);
          return [name, { shape: [...t.dims], dtype: t.type, data }];
        }),
      );
    },
    bind(inputs) {
      const feeds = toFeeds(inputs);
      return () => reported(() => session.run(feeds));
    },
    release: () => session.release(),
  };
}
