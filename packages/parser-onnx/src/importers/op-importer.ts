import type { AttributeValue } from '@kiln/core';
import type { NodeContext } from '../graph/node-context.js';

/** The oldest and newest standard opsets Kiln imports. */
export const MIN_OPSET = 7;
// Opsets 22–25 only widened the type constraints (bfloat16, 4- and 8-bit floats, int4/int2) of the
// ops Kiln imports; those types have no Kiln dtype and are refused as such. Opsets 26–28 added ops
// and changed only Range (27: `stash_type`, float16 accumulation) and Celu (28: types) among them.
export const MAX_OPSET = 28;

export type ImportFn = (node: NodeContext) => void;

/** Imports one op type of one domain, for the model opsets sinceVersion..untilVersion. */
export interface OpImporter {
  opType: string;
  domain: string;
  sinceVersion: number;
  untilVersion: number;
  import: ImportFn;
}

/** An op of the standard domain, from the opset that introduced it (or MIN_OPSET) to MAX_OPSET. */
export function standardOp(opType: string, introduced: number, importFn: ImportFn): OpImporter {
  return { opType, domain: '', sinceVersion: Math.max(MIN_OPSET, introduced), untilVersion: MAX_OPSET, import: importFn };
}

type Defaults = (node: NodeContext) => Record<string, AttributeValue>;

/** An op whose layer is the node as it is, with its attributes read through `attributes` (defaults filled). */
export function sameFormOp(opType: string, introduced: number, attributes: Defaults = () => ({})): OpImporter {
  return standardOp(opType, introduced, (node) =>
    node.emit({ type: opType, inputs: node.node.inputs, outputs: node.node.outputs, attributes: attributes(node) }),
  );
}
