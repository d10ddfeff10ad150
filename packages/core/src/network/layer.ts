import type { Tensor } from '../tensor.js';

/** An attribute value: ONNX's scalar, list, string and tensor attributes. */
export type AttributeValue = number | string | number[] | string[] | Tensor;

/**
 * One operation of the network. Layer types and their inputs and attributes follow the ONNX
 * operator specification in its newest form (e.g. Slice's starts/ends and Reshape's shape are
 * inputs, not attributes): importers upgrade older opsets to it and fill in attribute defaults.
 * Attribute names are ONNX's (`kernel_shape`, `group`, ...). An omitted optional input is ''.
 *
 * Layer types Kiln adds beyond ONNX are documented where the pass that creates them lives; the
 * fusion passes add attributes `activation`, `activation_alpha`, `activation_beta` to Conv, and
 * the residual-Add fusion a 4th Conv input (a tensor shaped like the output, added after the
 * activation; the bias, input 2, is then always present).
 */
export interface Layer {
  name: string;
  type: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, AttributeValue>;
  /** The ONNX domain of a plugin or vendor op; '' (or absent) for the standard domain. */
  domain?: string;
}

export function attributeNumber(layer: Layer, name: string, fallback?: number): number {
  const value = layer.attributes[name];
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number') throw new TypeError(`layer '${layer.name}' (${layer.type}): attribute '${name}' must be a number`);
  return value;
}

export function attributeNumbers(layer: Layer, name: string, fallback?: number[]): number[] {
  const value = layer.attributes[name];
  if (value === undefined && fallback !== undefined) return fallback;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'number')) {
    throw new TypeError(`layer '${layer.name}' (${layer.type}): attribute '${name}' must be a list of numbers`);
  }
  return value as number[];
}

export function attributeString(layer: Layer, name: string, fallback?: string): string {
  const value = layer.attributes[name];
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string') throw new TypeError(`layer '${layer.name}' (${layer.type}): attribute '${name}' must be a string`);
  return value;
}

/** One stage of a fused layer as a layer of its own: its attributes named after `prefix`, without it. */
export function stageOf(layer: Layer, prefix: string): Layer {
  const attributes = Object.fromEntries(Object.entries(layer.attributes).flatMap(([name, value]) => (name.startsWith(prefix) ? [[name.slice(prefix.length), value]] : [])));
  return { ...layer, attributes };
}
