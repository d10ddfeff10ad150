import { createTensor } from '@kiln/core';
import type { NodeContext } from '../graph/node-context.js';
import { ImportFailure } from '../import-failure.js';
import { numberToInt64 } from '../proto/int64.js';
import { kilnDType, onnxDataTypeName } from '../tensor/onnx-dtypes.js';
import { Decomposition } from './decomposition.js';
import { standardOp, type OpImporter } from './op-importer.js';

/** Σ coefficients[m] · cos(2π·m·n / N) for the window's cosine terms (Hann, Hamming, Blackman). */
const WINDOWS: Record<string, number[]> = {
  HannWindow: [0.5, -0.5],
  HammingWindow: [25 / 46, -21 / 46],
  BlackmanWindow: [0.42, -0.5, 0.08],
};

/**
 * A cosine-sum window of `size` points as Range → Cos layers; N is size (periodic, the default)
 * or size - 1 (symmetric). The size is a run-time scalar, so it must be known when the engine is built.
 */
const importWindow = (coefficients: number[]) => (node: NodeContext): void => {
  const outputType = node.attrs.int('output_datatype', 1);
  const dtype = kilnDType(outputType);
  if (dtype !== 'float32') throw new ImportFailure(`attribute 'output_datatype' = ${onnxDataTypeName(outputType)} is not supported (Kiln computes windows in float32)`);
  const periodic = node.attrs.int('periodic', 1) === 1;
  const d = new Decomposition(node);
  const float = (suffix: string, value: number) => node.constant(suffix, createTensor('float32', [], Float32Array.of(value)));
  const int64 = (suffix: string, value: number) => node.constant(suffix, createTensor('int64', [], BigInt64Array.of(numberToInt64(value))));
  const size = d.add('size', 'Cast', [node.input(0)], { to: 'int64', saturate: 1 });
  const n = d.add('n', 'Cast', [d.add('positions', 'Range', [int64('zero', 0), size, int64('one', 1)])], { to: 'float32', saturate: 1 });
  const sizeFloat = d.add('size_float', 'Cast', [size], { to: 'float32', saturate: 1 });
  const period = periodic ? sizeFloat : d.add('period', 'Sub', [sizeFloat, float('one_float', 1)]);
  const phase = d.add('phase', 'Div', [d.add('angle', 'Mul', [n, float('two_pi', 2 * Math.PI)]), period]);
  let sum = '';
  coefficients.forEach((coefficient, m) => {
    const cosine = m === 0 ? '' : d.add(`cos_${m}`, 'Cos', [m === 1 ? phase : d.add(`phase_${m}`, 'Mul', [phase, float(`harmonic_${m}`, m)])]);
    const term = m === 0 ? float('constant_term', coefficient) : d.add(`term_${m}`, 'Mul', [cosine, float(`coefficient_${m}`, coefficient)]);
    const last = m === coefficients.length - 1;
    sum = m === 0 ? term : last ? d.finish(node.output(0), 'Add', [sum, term]) : d.add(`sum_${m}`, 'Add', [sum, term]);
  });
};

export const windowFunctionImporters: OpImporter[] = Object.entries(WINDOWS).map(([opType, coefficients]) => standardOp(opType, 17, importWindow(coefficients)));
