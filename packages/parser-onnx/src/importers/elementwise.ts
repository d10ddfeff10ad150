import { sameFormOp, type OpImporter } from './op-importer.js';

const unary = (ops: [string, number][]) => ops.map(([op, since]) => sameFormOp(op, since));

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
  sameFormOp('Sum', 1),
  sameFormOp('Mean', 1),
  sameFormOp('Less', 1),
  sameFormOp('Greater', 1),
  sameFormOp('LessOrEqual', 12),
  sameFormOp('GreaterOrEqual', 12),
  sameFormOp('And', 1),
  sameFormOp('Or', 1),
  sameFormOp('Xor', 1),
  // Not never had attributes or broadcasting: Not-1 is the op as it is.
  { ...sameFormOp('Not', 1), sinceVersion: 1 },
  sameFormOp('Mod', 10, (node) => ({ fmod: node.attrs.int('fmod', 0) })),
  sameFormOp('IsInf', 10, (node) => ({ detect_negative: node.attrs.int('detect_negative', 1), detect_positive: node.attrs.int('detect_positive', 1) })),
  ...unary([
    ['Abs', 1], ['Neg', 1], ['Reciprocal', 1], ['Log', 1], ['Ceil', 1], ['Sign', 9], ['Round', 11], ['Erf', 9], ['IsNaN', 9],
    ['Sin', 7], ['Cos', 7], ['Tan', 7], ['Asin', 7], ['Acos', 7], ['Atan', 7], ['Sinh', 9], ['Cosh', 9], ['Asinh', 9], ['Acosh', 9], ['Atanh', 9],
  ]),
];
