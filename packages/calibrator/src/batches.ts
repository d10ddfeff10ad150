import { DTYPES, elementCount, isTypedArrayFor } from '@kiln/core';
import type { CalibrationBatch, Tensor } from '@kiln/core';
import { CalibrationError } from './errors.js';

type Many<T> = AsyncIterable<T> | Iterable<T>;

/**
 * Where calibration batches come from: an iterable or async iterable of batches (an array, a
 * generator, `imageFolderBatches(...)`), or a function returning a fresh one each time it is called.
 */
export type BatchSource = Many<CalibrationBatch> | (() => Many<CalibrationBatch>);

/** Batches that can be iterated more than once (unless made from a one-shot generator), and how many there are. */
export interface CalibrationBatches extends AsyncIterable<CalibrationBatch> {
  /** The number of batches, when known. */
  readonly count?: number;
}

/** Whether `value` can be a BatchSource (used by the option schemas). */
export function isBatchSource(value: unknown): value is BatchSource {
  if (typeof value === 'function') return true;
  if (value === null || typeof value !== 'object') return false;
  return Symbol.asyncIterator in value || Symbol.iterator in value;
}

function knownCount(source: BatchSource): number | undefined {
  if (Array.isArray(source)) return source.length;
  const count = (source as { count?: unknown }).count;
  return typeof count === 'number' && Number.isInteger(count) && count >= 0 ? count : undefined;
}

function open(source: Many<CalibrationBatch>): AsyncIterator<CalibrationBatch> | Iterator<CalibrationBatch> {
  if (Symbol.asyncIterator in source) return (source as AsyncIterable<CalibrationBatch>)[Symbol.asyncIterator]();
  if (Symbol.iterator in source) return (source as Iterable<CalibrationBatch>)[Symbol.iterator]();
  throw new CalibrationError('the batch source returned something that is neither an iterable nor an async iterable');
}

/** Whether iterating `source` hands back the source itself (a generator): it can be read only once. */
function isOneShot(source: Many<CalibrationBatch>): boolean {
  const s = source as Partial<AsyncIterable<unknown> & Iterable<unknown>>;
  return (
    (typeof s[Symbol.asyncIterator] === 'function' && typeof (s as AsyncIterator<unknown>).next === 'function') ||
    (typeof s[Symbol.iterator] === 'function' && typeof (s as Iterator<unknown>).next === 'function')
  );
}

/** Throws a CalibrationError naming the batch and input unless `tensor` is a well-formed Kiln tensor. */
export function checkTensor(tensor: unknown, where: string): asserts tensor is Tensor {
  const t = tensor as Partial<Tensor> | null;
  if (t === null || typeof t !== 'object') throw new CalibrationError(`${where} is not a tensor ({ dtype, shape, data })`);
  if (!DTYPES.includes(t.dtype as Tensor['dtype'])) {
    throw new CalibrationError(`${where} has dtype ${JSON.stringify(t.dtype)}, not one of ${DTYPES.join(', ')}`);
  }
  if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new CalibrationError(`${where} has shape ${JSON.stringify(t.shape)}, not an array of non-negative integers`);
  }
  if (!isTypedArrayFor(t.dtype!, t.data)) throw new CalibrationError(`${where}: its data is not the typed array of a ${t.dtype} tensor`);
  const n = elementCount(t.shape);
  if ((t.data as ArrayLike<unknown>).length !== n) {
    throw new CalibrationError(`${where} has shape [${t.shape.join(', ')}] (${n} elements) but ${(t.data as ArrayLike<unknown>).length} values`);
  }
}

/** Throws a CalibrationError naming the batch unless it maps one or more input names to tensors. */
export function checkBatch(batch: unknown, index: number): asserts batch is CalibrationBatch {
  if (batch === null || typeof batch !== 'object' || Array.isArray(batch)) {
    throw new CalibrationError(`calibration batch ${index} is not an object mapping input names to tensors`);
  }
  const entries = Object.entries(batch);
  if (entries.length === 0) throw new CalibrationError(`calibration batch ${index} holds no tensors`);
  for (const [name, tensor] of entries) checkTensor(tensor, `calibration batch ${index}, input '${name}'`);
}

/**
 * Calibration batches from any BatchSource, checked as they are read (each must map input names to
 * well-formed tensors). Arrays, iterables such as `imageFolderBatches(...)` and functions can be
 * iterated any number of times; a generator object only once — iterating it again throws, so pass
 * a function that makes a new generator instead. `count` comes from `options.count`, an array's
 * length or the source's own `count`.
 */
export function batchesFrom(source: BatchSource, options: { count?: number } = {}): CalibrationBatches {
  if (!isBatchSource(source)) {
    throw new CalibrationError('batches: expected an iterable or async iterable of batches, or a function returning one');
  }
  const count = options.count ?? (typeof source === 'function' ? undefined : knownCount(source));
  let consumed = false;
  return {
    count,
    [Symbol.asyncIterator]: async function* () {
      const many = typeof source === 'function' ? source() : source;
      if (!isBatchSource(many) || typeof many === 'function') {
        throw new CalibrationError('the batches function returned something that is neither an iterable nor an async iterable');
      }
      if (isOneShot(many)) {
        if (consumed) {
          throw new CalibrationError(
            'the calibration batches came from a generator that has already been read; pass a function that returns a new one',
          );
        }
        consumed = typeof source !== 'function';
      }
      const iterator = open(many);
      let index = 0;
      let finished = false;
      try {
        for (;;) {
          const step = await iterator.next();
          if (step.done) {
            finished = true;
            return;
          }
          const batch = await step.value;
          checkBatch(batch, index++);
          yield batch;
        }
      } finally {
        // Stopped early (a break, an error): let the source release what it holds.
        if (!finished) await iterator.return?.();
      }
    } as () => AsyncGenerator<CalibrationBatch>,
  };
}
