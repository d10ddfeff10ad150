import { sameFormOp, type OpImporter } from './op-importer.js';

export const matmulImporters: OpImporter[] = [
  sameFormOp('Gemm', 1, (node) => ({
    alpha: node.attrs.float('alpha', 1),
    beta: node.attrs.float('beta', 1),
    transA: node.attrs.int('transA', 0),
    transB: node.attrs.int('transB', 0),
  })),
  sameFormOp('MatMul', 1),
];
