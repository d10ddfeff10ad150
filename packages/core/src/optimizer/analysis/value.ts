import type { DType, Tensor } from '../../tensor.js';
import type { Dim } from '../../network/network.js';

/**
 * A value known at build time: a concrete tensor, or a small integer tensor some of whose elements
 * are symbolic dimensions (e.g. the result of Shape on a tensor with a dynamic batch).
 */
export type KnownValue = { kind: 'tensor'; tensor: Tensor } | { kind: 'symbolic'; dtype: DType; shape: number[]; values: Dim[] };

export function tensorValue(tensor: Tensor): KnownValue {
  return { kind: 'tensor', tensor };
}

/** The elements of a known value as dims (numbers, or symbol names). */
export function valueElements(value: KnownValue): Dim[] {
  if (value.kind === 'symbolic') return value.values;
  return Array.from(value.tensor.data as ArrayLike<number | bigint>, (v) => Number(v));
}

export function valueShape(value: KnownValue): number[] {
  return value.kind === 'symbolic' ? value.shape : value.tensor.shape;
}

export function valueDType(value: KnownValue): DType {
  return value.kind === 'symbolic' ? value.dtype : value.tensor.dtype;
}
