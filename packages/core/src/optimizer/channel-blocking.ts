import type { Layer } from '../network/layer.js';
import { attributeNumber, attributeNumbers, attributeString } from '../network/layer.js';
import type { NetworkDefinition } from '../network/network.js';
import { toNumbers } from '../tensor.js';
import { analyze } from './analysis/analyze.js';
import type { ValueInfo } from './analysis/shape-rules.js';
import { consumersOf, producersOf, unusedConstantName, zeroBias } from './graph-utils.js';
import type { PassContext } from './pass-context.js';

/** The most taps over its input channels (cin·kh·kw) a stem reading NCHW may have. */
const MAX_STEM_TAPS = 256;
/** A convolution of fewer input channels reads NCHW (an image stem): blocked, most lanes would be padding. */
const STEM_CHANNELS = 8;
const BLOCK = 16;
/** The tallest depthwise window the blocked depthwise kernel takes. */
const MAX_DEPTHWISE_ROWS = 64;

/**
 * Runs regions of convolutions in the channel-blocked layout NCHW16c, where each pixel's 16
 * channels of a block are one cache line: a convolution then reads its input as a few long
 * streams with the channels in the vector lanes (broadcast against 16 output channels at a time),
 * where NCHW reads every channel's plane side by side. A blocked tensor is 5-D,
 * `[N, ceil(C / 16), H, W, 16]`, the channels past C zero.
 *
 * A region is a connected set of layers that have blocked kernels, joined by the tensors they pass
 * each other: plain FP32 Convs with constant weights and explicit padding (one group, any window,
 * with a fused residual or not; or depthwise, dilation 1, no residual), channel Concats whose
 * inputs but the last are whole blocks (a concatenation of the block axis), 2-D MaxPools,
 * GlobalAveragePools and nearest Resizes of the spatial axes. A Conv of fewer than 8 input
 * channels and at most 256 taps over them (an image stem) reads its NCHW input as it is and writes
 * blocked; a YOLO head with its convolution fused in reads blocked and writes its detections. Only regions of at least `minConvs` convolutions, with at most one tensor crossing their
 * edge per two convolutions, are converted: others would pay their conversions for too little (a
 * squeeze-excitation between the convolutions of every block keeps an EfficientNet in NCHW).
 *
 * Each Conv of a region becomes a `KilnConvBlocked` (same attributes, inputs x, weights, bias[,
 * residual]; `nchw_input` on stems), each MaxPool a `KilnMaxPoolBlocked`, each GlobalAveragePool a
 * `KilnGlobalAveragePoolBlocked` (one 16-lane pixel per block); Concats (axis 1) and Resizes (their
 * scales or sizes given a last entry for the lanes) keep their types, a YOLO head gets
 * `blocked_input`. Their outputs are renamed
 * `<name>__blocked`; a `KilnToBlocked` converts each tensor a region reads from outside it, a
 * `KilnFromBlocked` (attribute `channels`) each blocked tensor it gives to a layer outside it or to the
 * graph outputs, under the tensor's own name. Runs after INT8 quantization and the residual and
 * YOLO head fusions; bottleneck-fusion then makes each inverted residual block of its convolutions
 * one `KilnBottleneckBlocked`.
 */
export function blockChannels(network: NetworkDefinition, context: PassContext = {}, minConvs = 4): number {
  const { infos } = analyze(network, context.plugins);
  const candidates = network.layers.filter((layer) => blockable(network, layer, infos));
  if (!candidates.length) return 0;
  const producers = producersOf(network);
  const consumers = consumersOf(network);
  const stems = new Set(candidates.filter((l) => isStem(network, l)));

  // Regions: connected components of the candidates through their blocked inputs.
  const candidateSet = new Set(candidates);
  const parent = new Map<Layer, Layer>(candidates.map((l) => [l, l]));
  const find = (l: Layer): Layer => (parent.get(l) === l ? l : find(parent.get(l)!));
  for (const layer of candidates)
    for (const name of blockedInputs(layer, stems)) {
      const from = producers.get(name);
      if (from && candidateSet.has(from)) parent.set(find(from), find(layer));
    }
  const regions = new Map<Layer, Layer[]>();
  for (const layer of candidates) {
    const root = find(layer);
    if (!regions.has(root)) regions.set(root, []);
    regions.get(root)!.push(layer);
  }
  const blocked = new Set<Layer>();
  for (const region of regions.values()) {
    const convs = region.filter((l) => l.type === 'Conv').length;
    if (convs < minConvs) continue;
    // Every tensor crossing the region's edge costs a conversion pass: at most one per two convolutions.
    const members = new Set(region);
    const inside = (name: string) => members.has(producers.get(name) as Layer);
    const entries = new Set(region.flatMap((l) => blockedInputs(l, stems)).filter((name) => !inside(name)));
    const exits = region.filter((l) => !isSink(l) && (network.outputs.includes(l.outputs[0]!) || (consumers.get(l.outputs[0]!) ?? []).some((c) => !members.has(c))));
    if (2 * (entries.size + exits.length) > convs) continue;
    for (const l of region) blocked.add(l);
  }
  if (!blocked.size) return 0;

  const channelsOf = (name: string) => Number(infos.get(name)!.shape[1]);
  const toBlocked = new Map<string, string>();
  const layers: Layer[] = [];
  for (const layer of network.layers) {
    if (!blocked.has(layer)) {
      layers.push(layer);
      continue;
    }
    const inputs = [...layer.inputs];
    for (const name of blockedInputs(layer, stems)) {
      const from = producers.get(name);
      let replacement = `${name}__blocked`;
      if (!from || !blocked.has(from)) {
        if (!toBlocked.has(name)) {
          toBlocked.set(name, `${name}__to_blocked`);
          layers.push({ name: `${name}__to_blocked`, type: 'KilnToBlocked', inputs: [name], outputs: [`${name}__to_blocked`], attributes: {} });
        }
        replacement = toBlocked.get(name)!;
      }
      for (const i of inputs.keys()) if (inputs[i] === name && blockedIndices(layer, stems).includes(i)) inputs[i] = replacement;
    }
    retype(network, layer, inputs, stems.has(layer), infos);
    layers.push(layer);
    if (isSink(layer)) continue;
    const out = layer.outputs[0]!;
    layer.outputs = [`${out}__blocked`];
    const outside = (consumers.get(out) ?? []).some((c) => !blocked.has(c)) || network.outputs.includes(out);
    if (outside) {
      layers.push({ name: `${out}__from_blocked`, type: 'KilnFromBlocked', inputs: [`${out}__blocked`], outputs: [out], attributes: { channels: channelsOf(out) } });
    }
  }
  network.layers = layers;
  return [...blocked].filter((l) => l.type === 'KilnConvBlocked').length;
}

/** The layer as its blocked form, reading `inputs`. */
function retype(network: NetworkDefinition, layer: Layer, inputs: string[], stem: boolean, infos: Map<string, ValueInfo>): void {
  if (layer.type === 'Conv') {
    if (!inputs[2]) inputs[2] = zeroBias(network, layer);
    layer.type = 'KilnConvBlocked';
    if (stem) layer.attributes = { ...layer.attributes, nchw_input: 1 };
  } else if (layer.type === 'Concat') {
    layer.attributes = { ...layer.attributes, axis: 1 };
  } else if (layer.type === 'MaxPool') {
    layer.type = 'KilnMaxPoolBlocked';
  } else if (layer.type === 'GlobalAveragePool') {
    layer.type = 'KilnGlobalAveragePoolBlocked';
  } else if (isSink(layer)) {
    layer.attributes = { ...layer.attributes, blocked_input: 1 };
  } else if (layer.type === 'Resize') {
    // The lanes' axis keeps its 16; sizes count blocks where they counted channels.
    const sizesInput = inputs[3] ? 3 : 2;
    const values = toNumbers(network.constants.get(inputs[sizesInput]!)!);
    const channels = Number(infos.get(layer.outputs[0]!)!.shape[1]);
    const name = unusedConstantName(network, `${layer.name}__blocked_${sizesInput === 3 ? 'sizes' : 'scales'}`);
    if (sizesInput === 3) {
      const sizes = [values[0], Math.ceil(channels / BLOCK), values[2], values[3], BLOCK];
      network.constants.set(name, { dtype: 'int64', shape: [5], data: BigInt64Array.from(sizes.map(BigInt)) });
    } else {
      network.constants.set(name, { dtype: 'float32', shape: [5], data: Float32Array.from([...values, 1]) });
    }
    inputs[sizesInput] = name;
  }
  layer.inputs = inputs;
}

/** The input indices a blocked layer reads blocked. */
function blockedIndices(layer: Layer, stems: Set<Layer>): number[] {
  if (layer.type === 'Conv') return stems.has(layer) ? [] : [0, 3];
  if (layer.type === 'Concat') return [...layer.inputs.keys()];
  return [0];
}

function blockedInputs(layer: Layer, stems: Set<Layer>): string[] {
  return blockedIndices(layer, stems)
    .map((i) => layer.inputs[i])
    .filter((name): name is string => !!name);
}

const shapeOf = (infos: Map<string, ValueInfo>, name: string | undefined) => (name ? infos.get(name) : undefined);

/** Whether the layer has a blocked form (and its tensors are FP32 NCHW images). */
function blockable(network: NetworkDefinition, layer: Layer, infos: Map<string, ValueInfo>): boolean {
  const x = shapeOf(infos, layer.inputs[0]);
  if (layer.domain || layer.outputs.length !== 1 || !x || x.dtype !== 'float32' || x.shape.length !== 4) return false;
  switch (layer.type) {
    case 'Conv':
      return blockableConv(network, layer);
    case 'Concat': {
      const channels = layer.inputs.map((name) => shapeOf(infos, name)?.shape[1]);
      const axis = attributeNumber(layer, 'axis');
      return (axis === 1 || axis === -3) && channels.every((c, i) => typeof c === 'number' && (i === channels.length - 1 || c % BLOCK === 0)) && layer.inputs.every((n) => shapeOf(infos, n)?.shape.length === 4);
    }
    case 'GlobalAveragePool':
      return true;
    case 'KilnYoloDecode':
      return isSink(layer);
    case 'MaxPool':
      return attributeNumbers(layer, 'kernel_shape').length === 2 && ['NOTSET', 'VALID'].includes(attributeString(layer, 'auto_pad', 'NOTSET'));
    case 'Resize': {
      if (attributeString(layer, 'mode', 'nearest') !== 'nearest' || layer.attributes.axes !== undefined) return false;
      if (attributeString(layer, 'coordinate_transformation_mode', 'half_pixel') === 'tf_crop_and_resize') return false;
      const sizesInput = layer.inputs[3] ? 3 : 2;
      const constant = network.constants.get(layer.inputs[sizesInput] ?? '');
      if (!constant || constant.shape.length !== 1 || constant.shape[0] !== 4) return false;
      const values = toNumbers(constant);
      return sizesInput === 2 ? values[0] === 1 && values[1] === 1 : values[0] === x.shape[0] && values[1] === x.shape[1];
    }
    default:
      return false;
  }
}

/** A plain FP32 Conv with constant weights (and bias) and explicit padding. */
function plainConv(network: NetworkDefinition, conv: Layer): boolean {
  const weights = network.constants.get(conv.inputs[1] ?? '');
  const bias = conv.inputs[2] ? network.constants.get(conv.inputs[2]) : undefined;
  if (!weights || weights.dtype !== 'float32' || weights.shape.length !== 4) return false;
  if (conv.inputs[2] && (!bias || bias.dtype !== 'float32')) return false;
  return ['NOTSET', 'VALID'].includes(attributeString(conv, 'auto_pad', 'NOTSET'));
}

/** One group (any window, a residual or not; a stem if few input channels), or depthwise (dilation 1, at most 64 rows, no residual). */
function blockableConv(network: NetworkDefinition, conv: Layer): boolean {
  if (!plainConv(network, conv)) return false;
  const [cout, cinPerGroup] = network.constants.get(conv.inputs[1]!)!.shape as number[];
  const group = attributeNumber(conv, 'group', 1);
  const residual = conv.inputs.length > 3 && !!conv.inputs[3];
  if (group === 1) return cinPerGroup >= STEM_CHANNELS || isStem(network, conv);
  const rows = network.constants.get(conv.inputs[1]!)!.shape[2] as number;
  return cinPerGroup === 1 && cout === group && rows <= MAX_DEPTHWISE_ROWS && attributeNumbers(conv, 'dilations', [1, 1]).every((v) => v === 1) && !residual;
}

/** A YOLO head with its 1×1 convolution fused in (yolo-head-fusion): it reads blocked, writes its detections. */
function isSink(layer: Layer): boolean {
  return layer.type === 'KilnYoloDecode' && layer.inputs.length === 6;
}

/** One group, no residual, fewer than 8 input channels and at most 256 taps over them: an image stem. */
function isStem(network: NetworkDefinition, conv: Layer): boolean {
  if (conv.type !== 'Conv' || attributeNumber(conv, 'group', 1) !== 1 || (conv.inputs.length > 3 && !!conv.inputs[3])) return false;
  const [, cin, kh, kw] = network.constants.get(conv.inputs[1]!)!.shape as number[];
  return cin < STEM_CHANNELS && cin * kh * kw <= MAX_STEM_TAPS;
}
