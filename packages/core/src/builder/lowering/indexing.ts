import { BuildError } from '../../errors.js';
import { attributeNumber, attributeString } from '../../network/layer.js';
import type { NativeLayer } from '../../native.js';
import { normalizeAxis } from '../../optimizer/analysis/shape-utils.js';
import { floats, ints, nativeLayer, str, type Lowering } from './context.js';

const lowerGather: Lowering = (layer) => [nativeLayer(layer, layer.type, { axis: ints([attributeNumber(layer, 'axis', 0)]) })];

const lowerExpand: Lowering = (layer, ctx) => [nativeLayer(layer, 'Expand', { shape: ints(ctx.constantNumbers(layer, 1, 'the target shape')) }, [layer.inputs[0]])];

const lowerTile: Lowering = (layer, ctx) => [nativeLayer(layer, 'Tile', { repeats: ints(ctx.constantNumbers(layer, 1, 'the repeats')) }, [layer.inputs[0]])];

/** Pad: build-time pads (over `axes`, default all) and value; modes constant, reflect, edge, wrap. */
const lowerPad: Lowering = (layer, ctx) => {
  const rank = ctx.info(layer.inputs[0], layer).shape.length;
  const given = ctx.constantNumbers(layer, 1, 'the pads');
  const value = ctx.optionalConstantNumbers(layer, 2, 'the constant value') ?? [0];
  const axes = (ctx.optionalConstantNumbers(layer, 3, 'the axes') ?? Array.from({ length: rank }, (_, i) => i)).map((a) => normalizeAxis(a, rank));
  if (axes.some((a) => a === undefined) || given.length !== 2 * axes.length) throw new BuildError('pads do not match the axes', layer.name);
  const pads = new Array(2 * rank).fill(0);
  axes.forEach((axis, i) => {
    pads[axis!] = given[i];
    pads[axis! + rank] = given[i + axes.length];
  });
  return [nativeLayer(layer, 'Pad', { pads: ints(pads), mode: str(attributeString(layer, 'mode', 'constant')), value: floats([value[0] ?? 0]) }, [layer.inputs[0]])];
};

/** DepthToSpace and SpaceToDepth as Reshape → Transpose → Reshape over static C, H, W. */
const lowerDepthSpace: Lowering = (layer, ctx) => {
  const x = ctx.info(layer.inputs[0], layer);
  const [, c, h, w] = x.shape;
  const b = attributeNumber(layer, 'blocksize');
  if (x.shape.length !== 4 || [c, h, w].some((d) => typeof d !== 'number')) throw new BuildError('needs a 4-D input with static C, H and W', layer.name, 'KILN_UNSUPPORTED');
  const [C, H, W] = [c, h, w] as number[];
  let split: number[], perm: number[], merged: number[];
  if (layer.type === 'SpaceToDepth') {
    [split, perm, merged] = [[0, C, H / b, b, W / b, b], [0, 3, 5, 1, 2, 4], [0, C * b * b, H / b, W / b]];
  } else if (attributeString(layer, 'mode', 'DCR') === 'CRD') {
    [split, perm, merged] = [[0, C / (b * b), b, b, H, W], [0, 1, 4, 2, 5, 3], [0, C / (b * b), H * b, W * b]];
  } else {
    [split, perm, merged] = [[0, b, b, C / (b * b), H, W], [0, 3, 4, 1, 5, 2], [0, C / (b * b), H * b, W * b]];
  }
  const dtype = x.dtype;
  const splitName = `${layer.name}__split`;
  const permName = `${layer.name}__permuted`;
  const n = x.shape[0];
  ctx.infos.set(splitName, { dtype, shape: [n, ...split.slice(1)] });
  ctx.infos.set(permName, { dtype, shape: perm.map((p) => (p === 0 ? n : split[p])) });
  const layers: NativeLayer[] = [
    { name: `${layer.name}__reshape`, type: 'Reshape', inputs: [layer.inputs[0]], outputs: [splitName], attrs: { shape: ints(split) } },
    { name: `${layer.name}__transpose`, type: 'Transpose', inputs: [splitName], outputs: [permName], attrs: { perm: ints(perm) } },
    { name: layer.name, type: 'Reshape', inputs: [permName], outputs: [layer.outputs[0]], attrs: { shape: ints(merged) } },
  ];
  return layers;
};

export const INDEXING_LOWERINGS: Record<string, Lowering> = {
  Gather: lowerGather,
  GatherElements: lowerGather,
  Expand: lowerExpand,
  Tile: lowerTile,
  Pad: lowerPad,
  DepthToSpace: lowerDepthSpace,
  SpaceToDepth: lowerDepthSpace,
};
