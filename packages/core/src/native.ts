import { createRequire } from 'node:module';
import type { PluginCreatorInfo } from './plugins/plugin-registry.js';
import type { DType, TypedArray } from './tensor.js';

const require = createRequire(import.meta.url);

export type NativeAttr = { ints: number[] } | { floats: number[] } | { str: string };

export interface NativeLayer {
  name: string;
  type: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, NativeAttr>;
}

export interface NativeGraph {
  inputs: { name: string; dtype: DType; shape: number[]; minShape: number[]; optShape: number[]; maxShape: number[] }[];
  outputs: string[];
  constants: { name: string; dtype: DType; shape: number[]; data: TypedArray }[];
  layers: (NativeLayer & { outputTypes: DType[] })[];
}

export interface NativeEngineInfo {
  isa: string;
  threads: number;
  userMetadata: string;
  inputs: { name: string; dtype: DType; shape: number[]; minShape: number[]; maxShape: number[] }[];
  outputs: string[];
  layers: { name: string; type: string; tactic: string; timings: { tactic: string; ms: number }[]; timingKey?: string; timingsFromCache?: boolean }[];
}

export interface NativeContext {
  execute(inputs: TypedArray[], shapes: number[][]): Promise<{ outputs: TypedArray[]; shapes: number[][] }>;
  executeSync(inputs: TypedArray[], shapes: number[][]): { outputs: TypedArray[]; shapes: number[][] };
  arenaBytes(): number;
  setProfiling(on: boolean): void;
  setInputShapes(shapes: number[][]): number[][];
  profile(): { runs: number; layerMillis: number[] };
  observe(tensorNames: string[], initialBins: number): void;
  statistics(): { name: string; min: number; max: number; binWidth: number; counts: Float64Array; positiveCounts: Float64Array }[];
}

export interface NativeEngine {
  info(): NativeEngineInfo;
  serialize(kilnVersion: string): Uint8Array;
  createContext(): NativeContext;
}

export interface NativePluginRegistry {
  load(path: string): PluginCreatorInfo[];
  list(): PluginCreatorInfo[];
  outputInfo(layer: NativeLayer, inputShapes: number[][], inputTypes: DType[]): { shapes: number[][]; dtypes: DType[]; version: string };
}

/** Per timing key, the milliseconds of each tactic by name (a timing cache's contents). */
export type TimingEntries = Record<string, Record<string, number>>;

export interface NativeAddon {
  NativePluginRegistry: new () => NativePluginRegistry;
  supportedIsas(): string[];
  defaultIsa(): string;
  layerTypes(): string[];
  measurePeakGflops(isa: string, threads: number, seconds: number): number;
  int8Path(isa: string): { name: string; fast: boolean };
  buildEngine(
    graph: NativeGraph,
    options: { isa: string; threads: number; timeTactics: boolean; knownTimings?: TimingEntries; userMetadata: string; plugins?: NativePluginRegistry },
    onProgress?: (phase: string, done: number, total: number) => void,
  ): Promise<NativeEngine>;
  deserialize(bytes: Uint8Array, threads?: number, plugins?: NativePluginRegistry): NativeEngine;
  readPlanHeader(bytes: Uint8Array): { formatVersion: number; kilnVersion: string; isa: string; threads: number };
}

// src/ and dist/ both sit one level below the package root.
export const native: NativeAddon = require('../native/build/Release/kiln_core.node');
