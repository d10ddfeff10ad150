import type { Layer } from '../network/layer.js';
import { attributeNumber, attributeNumbers, attributeString } from '../network/layer.js';
import type { NetworkDefinition } from '../network/network.js';
import { analyze } from './analysis/analyze.js';
import { consumersOf, producersOf, zeroBias } from './graph-utils.js';
import type { PassContext } from './pass-context.js';

/** The most taps over its input channels (cin·kh·kw) a stem writing blocked output may have. */
const MAX_STEM_TAPS = 256;

/**
 * Runs MobileNet-style chains of 1×1 and depthwise convolutions in the channel-blocked layout
 * NCHW16c, where each pixel's 16 channels of a block are one cache line: a 1×1 convolution then
 * reads its input, and a depthwise one its taps, as a few long streams with the channels in the
 * vector lanes, where NCHW reads every channel's plane side by side. A blocked tensor is 5-D,
 * `[N, ceil(C / 16), H, W, 16]`, the channels past C zero.
 *
 * Each such Conv becomes a `KilnConvBlocked` (same attributes, inputs x, weights, bias[, residual],
 * all tensors blocked), its output renamed `<name>__blocked`; a `KilnToBlocked` converts each
 * tensor a chain reads from outside it, a `KilnFromBlocked` (attribute `channels`) each tensor it
 * gives to a layer outside it or to the graph outputs, under the tensor's own name.
 *
 * A chain is a set of such convolutions joined by the tensors they pass each other (input 0 or the
 * residual): plain FP32 Convs with constant weights and explicit padding, either 1×1 (stride 1, no
 * padding, one group; with a fused residual or not) or depthwise (one filter per channel, dilation
 * 1, no residual). Only chains with a depthwise convolution, at least `minLayers` convolutions and
 * at most one tensor crossing their edge per two convolutions are converted: others would pay
 * their conversions for too little (a squeeze-excitation between the convolutions of every block
 * keeps an EfficientNet in NCHW). The image stem that
 * writes a chain's input (a one-group Conv of at most 256 taps over its channels, read only by the
 * chain) becomes a `KilnConvBlocked` with `nchw_input` set: it reads NCHW and writes blocked, so the
 * chain starts with no conversion. Runs last, after INT8 quantization and the residual fusion.
 */
export function blockChannels(network: NetworkDefinition, context: PassContext = {}, minLayers = 4): number {
  const { infos } = analyze(network, context.plugins);
  const rank = (layer: Layer) => infos.get(layer.inputs[0] ?? '')?.shape.length;
  const candidates = network.layers.filter((layer) => blockable(network, layer, rank(layer)));
  if (!candidates.length) return 0;
  const producers = producersOf(network);
  const consumers = consumersOf(network);

  // Chains: connected components of the candidates through their data and residual inputs.
  const candidateSet = new Set(candidates);
  const parent = new Map<Layer, Layer>(candidates.map((l) => [l, l]));
  const find = (l: Layer): Layer => (parent.get(l) === l ? l : find(parent.get(l)!));
  for (const layer of candidates)
    for (const name of dataInputs(layer)) {
      const from = producers.get(name);
      if (from && candidateSet.has(from)) parent.set(find(from), find(layer));
    }
  const chains = new Map<Layer, Layer[]>();
  for (const layer of candidates) {
    const root = find(layer);
    if (!chains.has(root)) chains.set(root, []);
    chains.get(root)!.push(layer);
  }
  const blocked = new Set<Layer>();
  for (const chain of chains.values()) {
    if (chain.length < minLayers || !chain.some((l) => attributeNumber(l, 'group', 1) > 1)) continue;
    // Every tensor crossing the chain's edge costs a conversion pass: at most one per two convolutions.
    const members = new Set(chain);
    const inside = (name: string) => members.has(producers.get(name) as Layer);
    const entries = new Set(chain.flatMap(dataInputs).filter((name) => !inside(name)));
    const exits = chain.filter((l) => network.outputs.includes(l.outputs[0]!) || (consumers.get(l.outputs[0]!) ?? []).some((c) => !members.has(c)));
    if (2 * (entries.size + exits.length) > chain.length) continue;
    for (const l of chain) blocked.add(l);
  }
  if (!blocked.size) return 0;
  // An image stem writing a chain's input, read by nothing else, writes it blocked itself.
  const stems = new Set<Layer>();
  for (const layer of blocked) {
    const input = layer.inputs[0]!;
    const stem = producers.get(input);
    if (!stem || blocked.has(stem) || !blockableStem(network, stem, rank(stem))) continue;
    if (network.outputs.includes(input) || !(consumers.get(input) ?? []).every((c) => blocked.has(c))) continue;
    stems.add(stem);
  }
  for (const stem of stems) blocked.add(stem);

  const channelsOf = (name: string) => Number(infos.get(name)!.shape[1]);
  const toBlocked = new Map<string, string>();
  const layers: Layer[] = [];
  for (const layer of network.layers) {
    if (!blocked.has(layer)) {
      layers.push(layer);
      continue;
    }
    const inputs = [...layer.inputs];
    if (!inputs[2]) inputs[2] = zeroBias(network, layer);
    for (const i of stems.has(layer) ? [] : [0, 3]) {
      const name = inputs[i];
      if (!name) continue;
      const from = producers.get(name);
      if (from && blocked.has(from)) {
        inputs[i] = `${name}__blocked`;
        continue;
      }
      if (!toBlocked.has(name)) {
        toBlocked.set(name, `${name}__to_blocked`);
        layers.push({ name: `${name}__to_blocked`, type: 'KilnToBlocked', inputs: [name], outputs: [`${name}__to_blocked`], attributes: {} });
      }
      inputs[i] = toBlocked.get(name)!;
    }
    const out = layer.outputs[0]!;
    layer.type = 'KilnConvBlocked';
    if (stems.has(layer)) layer.attributes = { ...layer.attributes, nchw_input: 1 };
    layer.inputs = inputs;
    layer.outputs = [`${out}__blocked`];
    layers.push(layer);
    const outside = (consumers.get(out) ?? []).some((c) => !blocked.has(c)) || network.outputs.includes(out);
    if (outside) {
      layers.push({ name: `${out}__from_blocked`, type: 'KilnFromBlocked', inputs: [`${out}__blocked`], outputs: [out], attributes: { channels: channelsOf(out) } });
    }
  }
  network.layers = layers;
  return blocked.size;
}

/** A plain FP32 Conv on a 4-D input with constant weights (and bias) and explicit padding. */
function plainConv(network: NetworkDefinition, conv: Layer, inputRank: number | undefined): boolean {
  if (conv.type !== 'Conv' || conv.domain || conv.outputs.length !== 1 || inputRank !== 4) return false;
  const weights = network.constants.get(conv.inputs[1] ?? '');
  const bias = conv.inputs[2] ? network.constants.get(conv.inputs[2]) : undefined;
  if (!weights || weights.dtype !== 'float32' || weights.shape.length !== 4) return false;
  if (conv.inputs[2] && (!bias || bias.dtype !== 'float32')) return false;
  return ['NOTSET', 'VALID'].includes(attributeString(conv, 'auto_pad', 'NOTSET'));
}

/** One group, no residual and few taps over its input channels: an image stem. */
function blockableStem(network: NetworkDefinition, conv: Layer, inputRank: number | undefined): boolean {
  if (!plainConv(network, conv, inputRank) || conv.inputs.length > 3) return false;
  const [, cin, kh, kw] = network.constants.get(conv.inputs[1]!)!.shape as number[];
  return attributeNumber(conv, 'group', 1) === 1 && cin * kh * kw <= MAX_STEM_TAPS;
}

function dataInputs(layer: Layer): string[] {
  return [layer.inputs[0], layer.inputs[3]].filter((name): name is string => !!name);
}

/** 1×1 (stride 1, no padding, one group; a residual or not) or depthwise (dilation 1, no residual). */
function blockable(network: NetworkDefinition, conv: Layer, inputRank: number | undefined): boolean {
  if (!plainConv(network, conv, inputRank)) return false;
  const [cout, cinPerGroup, kh, kw] = network.constants.get(conv.inputs[1]!)!.shape as number[];
  const group = attributeNumber(conv, 'group', 1);
  const ones = (name: string) => attributeNumbers(conv, name, [1, 1]).every((v) => v === 1);
  const residual = conv.inputs.length > 3 && !!conv.inputs[3];
  const pointwise = group === 1 && kh === 1 && kw === 1 && ones('strides') && ones('dilations') && attributeNumbers(conv, 'pads', [0, 0, 0, 0]).every((v) => v === 0);
  const depthwise = group > 1 && cinPerGroup === 1 && cout === group && ones('dilations') && !residual;
  return pointwise || depthwise;
}
