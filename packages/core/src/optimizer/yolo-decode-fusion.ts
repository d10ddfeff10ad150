import type { Layer } from '../network/layer.js';
import type { NetworkDefinition } from '../network/network.js';
import { analyze } from './analysis/analyze.js';
import { consumersOf, onlyReadBy } from './graph-utils.js';
import type { PassContext } from './pass-context.js';

/**
 * Fuses YOLOv5's detection-head decode, per level, into one `KilnYoloDecode` layer (a Kiln op):
 *
 *   C [N, A·K, H, W] → Reshape [N, A, K, H, W] → Transpose [0,1,3,4,2] → Sigmoid → Split(last, [2, 2, K−4])
 *     xy: ·2 → +G → ·stride        wh: ·2 → ^2 → ·anchors        rest: as is
 *   → Concat(last) → Reshape [N, A·H·W, K]
 *
 * becomes KilnYoloDecode(C, G, anchors, stride) → [N, A·H·W, K], computing the same float
 * operations in the same order for each value, without the five intermediate tensors. G and the
 * anchors are constants broadcastable to [1, A, H, W, 2], stride a constant scalar. Anything that
 * does not match exactly is left alone.
 */
export function fuseYoloDecode(network: NetworkDefinition, context: PassContext = {}): number {
  const { infos } = analyze(network, context.plugins);
  const consumers = consumersOf(network);
  const only = (name: string, layer: Layer) => onlyReadBy(network, consumers, name, layer);
  const next = (name: string): Layer | undefined => {
    const list = consumers.get(name) ?? [];
    return list.length === 1 && !network.outputs.includes(name) ? list[0] : undefined;
  };
  const scalar = (name: string | undefined): number | undefined => {
    const t = name ? network.constants.get(name) : undefined;
    return t && t.data.length === 1 && t.dtype === 'float32' ? Number(t.data[0]) : undefined;
  };
  const otherInput = (layer: Layer, from: string) => (layer.inputs[0] === from ? layer.inputs[1] : layer.inputs[0]);
  const isMulBy = (layer: Layer | undefined, from: string, value: number) =>
    !!layer && layer.type === 'Mul' && layer.inputs.includes(from) && scalar(otherInput(layer, from)) === value;

  const removed = new Set<Layer>();
  const decodes: Layer[] = [];
  for (const sigmoid of network.layers) {
    if (sigmoid.type !== 'Sigmoid') continue;
    const transposed = sigmoid.inputs[0];
    const transpose = network.layers.find((l) => l.outputs[0] === transposed);
    if (!transpose || transpose.type !== 'Transpose' || !only(transposed, sigmoid)) continue;
    if ((transpose.attributes.perm as number[] | undefined)?.join() !== '0,1,3,4,2') continue;
    const reshape = network.layers.find((l) => l.outputs[0] === transpose.inputs[0]);
    if (!reshape || reshape.type !== 'Reshape' || !only(reshape.outputs[0], transpose)) continue;
    const source = reshape.inputs[0];
    const sourceShape = infos.get(source)?.shape;
    const boxShape = infos.get(reshape.outputs[0])?.shape;
    if (!sourceShape || !boxShape || sourceShape.length !== 4 || boxShape.length !== 5) continue;
    const [anchors, outputs] = [boxShape[1], boxShape[2]];
    if (typeof anchors !== 'number' || typeof outputs !== 'number' || sourceShape[1] !== anchors * outputs || outputs < 5) continue;
    if (boxShape[3] !== sourceShape[2] || boxShape[4] !== sourceShape[3]) continue;

    const split = next(sigmoid.outputs[0]);
    if (!split || split.type !== 'Split' || split.outputs.length !== 3) continue;
    const sizes = split.inputs[1] ? network.constants.get(split.inputs[1]) : undefined;
    const axis = split.attributes.axis;
    if (!sizes || (axis !== 4 && axis !== -1) || Array.from(sizes.data as ArrayLike<number | bigint>, Number).join() !== `2,2,${outputs - 4}`) continue;
    const [xy, wh, rest] = split.outputs;

    const xyScale = next(xy);
    if (!isMulBy(xyScale, xy, 2)) continue;
    const addGrid = next(xyScale!.outputs[0]);
    if (!addGrid || addGrid.type !== 'Add') continue;
    const grid = otherInput(addGrid, xyScale!.outputs[0]);
    if (!network.constants.has(grid)) continue;
    const xyStride = next(addGrid.outputs[0]);
    if (!xyStride || xyStride.type !== 'Mul') continue;
    const stride = otherInput(xyStride, addGrid.outputs[0]);
    if (scalar(stride) === undefined) continue;

    const whScale = next(wh);
    if (!isMulBy(whScale, wh, 2)) continue;
    const square = next(whScale!.outputs[0]);
    if (!square || square.type !== 'Pow' || square.inputs[0] !== whScale!.outputs[0] || scalar(square.inputs[1]) !== 2) continue;
    const whAnchor = next(square.outputs[0]);
    if (!whAnchor || whAnchor.type !== 'Mul') continue;
    const anchorGrid = otherInput(whAnchor, square.outputs[0]);
    if (!network.constants.has(anchorGrid)) continue;

    const concat = next(xyStride.outputs[0]);
    if (!concat || concat.type !== 'Concat' || (concat.attributes.axis !== 4 && concat.attributes.axis !== -1)) continue;
    if (concat.inputs.join() !== [xyStride.outputs[0], whAnchor.outputs[0], rest].join() || !only(whAnchor.outputs[0], concat) || !only(rest, concat)) continue;
    const flatten = next(concat.outputs[0]);
    const flatShape = flatten ? infos.get(flatten.outputs[0])?.shape : undefined;
    if (!flatten || flatten.type !== 'Reshape' || !flatShape || flatShape.length !== 3 || flatShape[2] !== outputs) continue;

    const chain = [reshape, transpose, sigmoid, split, xyScale!, addGrid, xyStride, whScale!, square, whAnchor, concat, flatten];
    for (const layer of chain) removed.add(layer);
    decodes.push({
      name: `${flatten.name}__yolo_decode`,
      type: 'KilnYoloDecode',
      inputs: [source, grid, anchorGrid, stride],
      outputs: [flatten.outputs[0]],
      attributes: { anchors, outputs },
    });
  }
  if (!decodes.length) return 0;
  // Each decode takes the place of its chain's last layer.
  const kept: Layer[] = [];
  for (const layer of network.layers) {
    if (removed.has(layer)) {
      const decode = decodes.find((d) => d.outputs[0] === layer.outputs[0]);
      if (decode) kept.push(decode);
      continue;
    }
    kept.push(layer);
  }
  network.layers = kept;
  return decodes.length;
}
