import { attributeNumber } from '../../network/layer.js';
import { floats, ints, nativeLayer, type Lowering } from './context.js';

export const lowerMatMul: Lowering = (layer) => [nativeLayer(layer, 'MatMul', {})];

/** Gemm: alpha · op(A) · op(B) + beta · C, one MatMul layer with the transposes and C folded in. */
export const lowerGemm: Lowering = (layer) => [
  nativeLayer(layer, 'MatMul', {
    trans_a: ints([attributeNumber(layer, 'transA', 0)]),
    trans_b: ints([attributeNumber(layer, 'transB', 0)]),
    alpha: floats([attributeNumber(layer, 'alpha', 1)]),
    beta: floats([attributeNumber(layer, 'beta', 1)]),
  }),
];

export const MATMUL_LOWERINGS: Record<string, Lowering> = { MatMul: lowerMatMul, Gemm: lowerGemm };
