import type { Dim } from '../network/network.js';
import type { DType } from '../tensor.js';

export interface EngineTensorInfo {
  name: string;
  dtype: DType;
  /** Dimensions; a string is a dynamic dimension. */
  shape: Dim[];
}

/** What the TypeScript side stores inside a plan (as JSON) beside the native graph. */
export interface EngineMetadata {
  inputs: EngineTensorInfo[];
  outputs: EngineTensorInfo[];
  /** The source model's metadata (e.g. YOLOv5's `names` and `stride`). */
  modelMetadata: Record<string, string>;
  /** layout: whether convolution regions run channel-blocked (absent in engines built before it was recorded). */
  build: { layersBefore: number; layersAfter: number; precision: string; layout?: 'blocked' | 'nchw' };
}
