import { createTensor, type AttributeValue, type DType, type Layer, type Tensor } from '@kiln/core';
import { numberToInt64 } from '../proto/int64.js';
import { float32ToFloat16Bits } from '../tensor/float16.js';
import type { AttributeReader } from './attributes.js';
import type { ImportContext } from './import-context.js';

export interface NodeInfo {
  /** The ONNX node name, or a generated `${opType}_${index}` when it has none. */
  name: string;
  opType: string;
  /** '' for the standard ONNX domain. */
  domain: string;
  /** The opset the model imports for the node's domain. */
  opset: number;
  inputs: string[];
  outputs: string[];
}

export interface LayerSpec {
  type: string;
  inputs: string[];
  outputs: string[];
  attributes?: Record<string, AttributeValue>;
  /** Defaults to the node's name; layers an importer adds beside the main one name themselves. */
  name?: string;
  domain?: string;
}

/** One node being imported: its inputs, outputs and attributes, and the ways to emit layers and constants. */
export class NodeContext {
  constructor(
    readonly graph: ImportContext,
    readonly node: NodeInfo,
    readonly attrs: AttributeReader,
  ) {}

  get name(): string { return this.node.name; }
  get opType(): string { return this.node.opType; }
  get opset(): number { return this.node.opset; }

  /** The i-th input's name, '' when absent or omitted. */
  input(index: number): string {
    return this.node.inputs[index] ?? '';
  }

  output(index: number): string {
    return this.node.outputs[index] ?? '';
  }

  /** Records an issue for this node and goes on (to find the node's other issues too). */
  fail(message: string): void {
    const { name, opType, domain, opset } = this.node;
    this.graph.addIssue({ node: name, opType, domain, opset, message });
  }

  emit(spec: LayerSpec): void {
    const layer: Layer = {
      name: spec.name ?? this.node.name,
      type: spec.type,
      inputs: trimTrailingEmpty(spec.inputs),
      outputs: trimTrailingEmpty(spec.outputs),
      attributes: spec.attributes ?? {},
    };
    if (spec.domain !== undefined) layer.domain = spec.domain;
    this.graph.network.addLayer(layer);
  }

  /** A unique name for a layer this node adds beside its main one: `${node}__${suffix}`. */
  layerName(suffix: string): string {
    return this.graph.uniqueLayerName(`${this.node.name}__${suffix}`);
  }

  /** A unique name for a tensor this node adds: `${node}__${suffix}`. */
  tensorName(suffix: string): string {
    return this.graph.uniqueTensorName(`${this.node.name}__${suffix}`);
  }

  /** Adds a constant named `${node}__${suffix}` (made unique) and returns its name. */
  constant(suffix: string, tensor: Tensor): string {
    const name = this.tensorName(suffix);
    this.graph.network.addConstant(name, tensor);
    return name;
  }

  /** A 1-D int64 constant, as ONNX's axes, pads, starts, split... inputs are. */
  int64Constant(suffix: string, values: number[]): string {
    return this.constant(suffix, createTensor('int64', [values.length], BigInt64Array.from(values, numberToInt64)));
  }

  /** A constant of float values in the dtype of tensor `like` (float16 stays float16; anything else float32). */
  floatConstant(suffix: string, values: number[], shape: number[], like: string): string {
    const dtype: DType = this.graph.dtypeOf(like) === 'float16' ? 'float16' : 'float32';
    const data = dtype === 'float16' ? Uint16Array.from(values, float32ToFloat16Bits) : Float32Array.from(values);
    return this.constant(suffix, createTensor(dtype, shape, data as never));
  }
}

function trimTrailingEmpty(names: string[]): string[] {
  let end = names.length;
  while (end > 0 && names[end - 1] === '') end--;
  return names.slice(0, end);
}
