import { BuildError } from '../../errors.js';
import { attributeNumber } from '../../network/layer.js';
import type { Tensor } from '../../tensor.js';
import { floats, ints, nativeLayer, type Lowering } from './context.js';

/** A constant broadcast to [1, anchors, h, w, 2], flattened. */
function dense(tensor: Tensor, anchors: number, h: number, w: number): Float32Array | undefined {
  const target = [1, anchors, h, w, 2];
  const shape = [...new Array(Math.max(0, 5 - tensor.shape.length)).fill(1), ...tensor.shape];
  if (shape.length !== 5 || shape.some((d, i) => d !== 1 && d !== target[i])) return undefined;
  const strides = [0, 0, 0, 0, 0];
  for (let i = 4, s = 1; i >= 0; i--) {
    strides[i] = shape[i] === 1 ? 0 : s;
    s *= shape[i];
  }
  const out = new Float32Array(anchors * h * w * 2);
  let o = 0;
  for (let a = 0; a < anchors; a++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let c = 0; c < 2; c++) out[o++] = Number(tensor.data[a * strides[1] + y * strides[2] + x * strides[3] + c * strides[4]]);
  return out;
}

/**
 * KilnYoloDecode → the native YoloDecode layer, its grid and anchors made dense constants; with its
 * 1×1 convolution fused in (weights and bias as inputs 4 and 5, yolo-head-fusion), YoloHead.
 */
export const lowerYoloDecode: Lowering = (layer, ctx) => {
  const anchors = attributeNumber(layer, 'anchors');
  const [, , h, w] = ctx.info(layer.inputs[0], layer).shape;
  const [grid, anchorGrid] = [layer.inputs[1], layer.inputs[2]].map((name) => ctx.network.constants.get(name));
  const stride = ctx.constantNumbers(layer, 3, 'the stride')[0];
  const denseGrid = typeof h === 'number' && typeof w === 'number' && grid ? dense(grid, anchors, h, w) : undefined;
  const denseAnchors = typeof h === 'number' && typeof w === 'number' && anchorGrid ? dense(anchorGrid, anchors, h, w) : undefined;
  if (!denseGrid || !denseAnchors) throw new BuildError('the YOLO decode grid does not fit the feature map', layer.name);
  const gridName = `${layer.name}__grid`;
  const anchorName = `${layer.name}__anchors`;
  ctx.network.constants.set(gridName, { dtype: 'float32', shape: [denseGrid.length], data: denseGrid });
  ctx.network.constants.set(anchorName, { dtype: 'float32', shape: [denseAnchors.length], data: denseAnchors });
  const conv = layer.inputs.length === 6 ? [layer.inputs[4]!, layer.inputs[5]!] : [];
  const attrs = {
    anchors: ints([anchors]),
    outputs: ints([attributeNumber(layer, 'outputs')]),
    stride: floats([stride]),
    // A head in a channel-blocked region (channel-blocking) reads its input blocked.
    ...(conv.length ? { blocked_input: ints([attributeNumber(layer, 'blocked_input', 0)]) } : {}),
  };
  return [nativeLayer(layer, conv.length ? 'YoloHead' : 'YoloDecode', attrs, [layer.inputs[0]!, gridName, anchorName, ...conv])];
};
