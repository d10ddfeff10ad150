import { BuildError } from '../../errors.js';
import { attributeNumber, type Layer } from '../../network/layer.js';
import type { Dim } from '../../network/network.js';
import type { NativeLayer } from '../../native.js';
import { staticReshapeTarget } from '../../optimizer/constant-folding.js';
import { floats, ints, str, type Lowering, type LoweringContext } from './context.js';

/** Lays out lowered layers that pass one tensor along, naming the intermediate tensors. */
class Chain {
  readonly layers: NativeLayer[] = [];
  constructor(private readonly ctx: LoweringContext, private readonly layer: Layer, public current: string) {}

  add(type: string, attrs: NativeLayer['attrs'], shape: Dim[], extra: string[] = [], final = false): void {
    const output = final ? this.layer.outputs[0] : `${this.layer.name}__${type.toLowerCase()}${this.layers.length}`;
    if (!final) this.ctx.infos.set(output, { dtype: 'float32', shape });
    this.layers.push({ name: final ? this.layer.name : `${this.layer.name}__${this.layers.length}`, type, inputs: [this.current, ...extra], outputs: [output], attrs });
    this.current = output;
  }
}

/** A per-channel parameter [C] as [C, 1, ..., 1] for an NC... input of `rank` axes. */
function perChannel(ctx: LoweringContext, layer: Layer, index: number, rank: number, chain: Chain): string {
  const name = layer.inputs[index];
  const info = ctx.info(name, layer);
  const shape = [info.shape[0], ...new Array(rank - 2).fill(1)];
  const tensor = ctx.network.constants.get(name);
  if (tensor) {
    const reshaped = `${layer.name}__${index}_per_channel`;
    ctx.network.constants.set(reshaped, { ...tensor, shape: shape as number[] });
    return reshaped;
  }
  const out = `${layer.name}__${index}_per_channel`;
  ctx.infos.set(out, { dtype: info.dtype, shape });
  chain.layers.push({ name: `${layer.name}__reshape${index}`, type: 'Reshape', inputs: [name], outputs: [out], attrs: { shape: ints([-1, ...shape.slice(1) as number[]]) } });
  return out;
}

/** x·scale + bias after the chain's normalization, the parameters broadcast against its output. */
function affine(chain: Chain, layer: Layer, scale: string, bias: string | undefined, shape: Dim[]): NativeLayer[] {
  chain.add('Binary', { op: str('mul') }, shape, [scale], !bias);
  if (bias) chain.add('Binary', { op: str('add') }, shape, [bias], true);
  return chain.layers;
}

const lowerLayerNorm: Lowering = (layer, ctx) => {
  const x = ctx.info(layer.inputs[0], layer);
  const chain = new Chain(ctx, layer, layer.inputs[0]);
  chain.add('Normalize', { axis: ints([attributeNumber(layer, 'axis', -1)]), epsilon: floats([attributeNumber(layer, 'epsilon', 1e-5)]) }, x.shape);
  // Mean and InvStdDev, when used, are the Normalize layer's second and third outputs.
  const [mean, invStdDev] = [layer.outputs[1] ?? '', layer.outputs[2] ?? ''];
  if (mean || invStdDev) {
    const normalize = chain.layers[chain.layers.length - 1];
    normalize.outputs.push(mean || `${layer.name}__mean`, invStdDev || `${layer.name}__inv_std_dev`);
    const reduced = ctx.info(mean || invStdDev, layer).shape;
    for (const name of normalize.outputs.slice(1)) ctx.infos.set(name, { dtype: 'float32', shape: reduced });
  }
  return affine(chain, layer, layer.inputs[1], layer.inputs[2] || undefined, x.shape);
};

const lowerInstanceNorm: Lowering = (layer, ctx) => {
  const x = ctx.info(layer.inputs[0], layer);
  const chain = new Chain(ctx, layer, layer.inputs[0]);
  const scale = perChannel(ctx, layer, 1, x.shape.length, chain);
  const bias = perChannel(ctx, layer, 2, x.shape.length, chain);
  chain.add('Normalize', { axis: ints([2]), epsilon: floats([attributeNumber(layer, 'epsilon', 1e-5)]) }, x.shape);
  return affine(chain, layer, scale, bias, x.shape);
};

/** GroupNormalization (opset 21 form, per-channel scale and bias): [N, C, ...] as [N, G, rest]. */
const lowerGroupNorm: Lowering = (layer, ctx) => {
  const x = ctx.info(layer.inputs[0], layer);
  const groups = attributeNumber(layer, 'num_groups');
  const chain = new Chain(ctx, layer, layer.inputs[0]);
  const scale = perChannel(ctx, layer, 1, x.shape.length, chain);
  const bias = perChannel(ctx, layer, 2, x.shape.length, chain);
  const grouped: Dim[] = [x.shape[0], groups, `${layer.name}_group`];
  const back = staticReshapeTarget(grouped, x.shape);
  if (!back) throw new BuildError(`cannot regroup [${x.shape.join(', ')}] statically`, layer.name, 'KILN_UNSUPPORTED');
  chain.add('Reshape', { shape: ints([0, groups, -1]) }, grouped);
  chain.add('Normalize', { axis: ints([2]), epsilon: floats([attributeNumber(layer, 'epsilon', 1e-5)]) }, grouped);
  chain.add('Reshape', { shape: ints(back) }, x.shape);
  return affine(chain, layer, scale, bias, x.shape);
};

export const NORMALIZATION_LOWERINGS: Record<string, Lowering> = {
  LayerNormalization: lowerLayerNorm,
  InstanceNormalization: lowerInstanceNorm,
  GroupNormalization: lowerGroupNorm,
};
