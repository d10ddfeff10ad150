import type { Dim } from '../../network/network.js';

export function broadcastDims(a: Dim[], b: Dim[]): Dim[] | undefined {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
    if (da === 1) out.push(db);
    else if (db === 1 || da === db) out.push(da);
    else if (typeof da === 'string' || typeof db === 'string') out.push(typeof da === 'number' ? da : db);
    else return undefined;
  }
  return out;
}

export function normalizeAxis(axis: number, rank: number): number | undefined {
  if (axis < -rank || axis >= rank) return undefined;
  return axis < 0 ? axis + rank : axis;
}

export function formatShape(shape: readonly Dim[]): string {
  return `[${shape.join(', ')}]`;
}

/** Output size of a convolution or pooling window along one axis; undefined for symbolic input. */
export function windowOutput(size: Dim, kernel: number, stride: number, padBegin: number, padEnd: number, dilation: number, ceil = false): Dim {
  if (typeof size === 'string') return size;
  const span = size + padBegin + padEnd - dilation * (kernel - 1) - 1;
  let out = (ceil ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  if (ceil && (out - 1) * stride >= size + padBegin) out -= 1;
  return out;
}

/** Explicit [begins..., ends...] pads for ONNX auto_pad over the given spatial sizes. */
export function resolveAutoPad(autoPad: string, pads: number[], spatial: Dim[], kernel: number[], strides: number[], dilations: number[]): number[] | undefined {
  if (autoPad === 'NOTSET' || autoPad === '') return pads;
  const n = kernel.length;
  if (autoPad === 'VALID') return new Array(2 * n).fill(0);
  const out = new Array(2 * n).fill(0);
  for (let i = 0; i < n; i++) {
    const size = spatial[i];
    if (typeof size !== 'number') return undefined;
    const target = Math.ceil(size / strides[i]);
    const total = Math.max(0, (target - 1) * strides[i] + dilations[i] * (kernel[i] - 1) + 1 - size);
    const small = Math.floor(total / 2);
    out[i] = autoPad === 'SAME_UPPER' ? small : total - small;
    out[i + n] = total - out[i];
  }
  return out;
}

/** A position between axes (Flatten's axis, Shape's start): -1 is before the last axis; clamped to [0, rank]. */
export function normalizeBoundary(position: number, rank: number): number {
  return Math.min(Math.max(position < 0 ? position + rank : position, 0), rank);
}
