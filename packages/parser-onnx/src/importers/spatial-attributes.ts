import type { NodeContext } from '../graph/node-context.js';

const AUTO_PADS = ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'];

export interface SpatialAttributes {
  auto_pad: string;
  pads: number[];
  strides: number[];
  dilations: number[];
}

/**
 * auto_pad, pads, strides and dilations of a convolution or pooling node with `rank` spatial axes,
 * defaults filled in. auto_pad VALID becomes NOTSET with zero pads, which is the same.
 */
export function spatialAttributes(node: NodeContext, rank: number): SpatialAttributes {
  const zeros = new Array<number>(2 * rank).fill(0);
  const ones = new Array<number>(rank).fill(1);
  let autoPad = node.attrs.string('auto_pad', 'NOTSET');
  let pads = node.attrs.ints('pads', zeros);
  const strides = node.attrs.ints('strides', ones);
  const dilations = node.attrs.ints('dilations', ones);
  if (!AUTO_PADS.includes(autoPad)) node.fail(`attribute 'auto_pad' = '${autoPad}' is not one of ${AUTO_PADS.join(', ')}`);
  if (autoPad === 'VALID') {
    autoPad = 'NOTSET';
    pads = zeros;
  }
  checkLength(node, 'pads', pads, 2 * rank);
  checkLength(node, 'strides', strides, rank);
  checkLength(node, 'dilations', dilations, rank);
  return { auto_pad: autoPad, pads, strides, dilations };
}

export function checkLength(node: NodeContext, name: string, values: number[], expected: number): void {
  if (values.length !== expected) {
    node.fail(`attribute '${name}' has ${values.length} values, expected ${expected}`);
  }
}
