import type { DType, Tensor } from '../tensor.js';
import type { Layer } from './layer.js';

/** A dimension: a size, or the name of a symbolic (dynamic) size such as 'batch'. */
export type Dim = number | string;

export interface TensorInfo {
  name: string;
  dtype: DType;
  shape: Dim[];
}

/**
 * The network to build: graph inputs, constants (weights), layers in topological order, and the
 * tensors marked as outputs. A parser fills it; the optimizer rewrites `layers` and `constants`.
 */
export class NetworkDefinition {
  readonly inputs: TensorInfo[] = [];
  readonly outputs: string[] = [];
  readonly constants = new Map<string, Tensor>();
  layers: Layer[] = [];
  /** Free-form model metadata (e.g. ONNX `metadata_props` such as YOLOv5's `names` and `stride`). */
  readonly metadata: Record<string, string> = {};
  /** Dtypes of non-input tensors where the importer knows them (e.g. from ONNX value_info). */
  readonly declaredTypes = new Map<string, DType>();

  addInput(name: string, dtype: DType, shape: Dim[]): TensorInfo {
    if (this.isDefined(name)) throw new Error(`tensor '${name}' is already defined`);
    const info = { name, dtype, shape: [...shape] };
    this.inputs.push(info);
    return info;
  }

  addConstant(name: string, tensor: Tensor): void {
    if (this.isDefined(name)) throw new Error(`tensor '${name}' is already defined`);
    this.constants.set(name, tensor);
  }

  addLayer(layer: Layer): Layer {
    const copy: Layer = { ...layer, inputs: [...layer.inputs], outputs: [...layer.outputs], attributes: { ...layer.attributes } };
    this.layers.push(copy);
    return copy;
  }

  markOutput(name: string): void {
    if (!this.outputs.includes(name)) this.outputs.push(name);
  }

  isInput(name: string): boolean {
    return this.inputs.some((input) => input.name === name);
  }

  isDefined(name: string): boolean {
    return this.isInput(name) || this.constants.has(name) || this.layers.some((l) => l.outputs.includes(name));
  }

  /** A deep-enough copy for passes to rewrite without touching the original. */
  clone(): NetworkDefinition {
    const copy = new NetworkDefinition();
    for (const input of this.inputs) copy.addInput(input.name, input.dtype, input.shape);
    for (const name of this.outputs) copy.markOutput(name);
    for (const [name, tensor] of this.constants) copy.constants.set(name, tensor);
    for (const layer of this.layers) copy.addLayer(layer);
    Object.assign(copy.metadata, this.metadata);
    for (const [name, dtype] of this.declaredTypes) copy.declaredTypes.set(name, dtype);
    return copy;
  }
}
