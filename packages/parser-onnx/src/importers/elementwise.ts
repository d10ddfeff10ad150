import { sameFormOp, type OpImporter } from './op-importer.js';

/** Element-wise arithmetic, comparison and selection: numpy broadcasting, no attributes from opset 7 on. */
export const elementwiseImporters: OpImporter[] = [
  sameFormOp('Add', 1),
  sameFormOp('Sub', 1),
  sameFormOp('Mul', 1),
  sameFormOp('Div', 1),
  sameFormOp('Pow', 1),
  sameFormOp('Max', 1),
  sameFormOp('Min', 1),
  sameFormOp('Sqrt', 1),
  sameFormOp('Exp', 1),
  sameFormOp('Floor', 1),
  sameFormOp('Equal', 1),
  sameFormOp('Where', 9),
];
