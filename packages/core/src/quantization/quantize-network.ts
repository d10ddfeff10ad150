import { BuildError } from '../errors.js';
import { attributeNumber, attributeString, type Layer } from '../network/layer.js';
import type { NetworkDefinition } from '../network/network.js';
import type { ValueInfo } from '../optimizer/analysis/shape-rules.js';
import { consumersOf, producersOf } from '../optimizer/graph-utils.js';
import { valueLowerBounds } from './value-bounds.js';

export type LayerPrecision = 'int8' | 'fp32';

export interface QuantizationReport {
  /** Layers that run in INT8 (convolutions, and the pools, resizes and concats between them). */
  int8: string[];
  /** Convolutions kept in FP32, and why. */
  fp32: { name: string; reason: string }[];
  /** Boundary layers added: float → u8 and u8 → float. */
  quantizeLayers: number;
  dequantizeLayers: number;
}

interface QuantParams {
  scale: number;
  zeroPoint: number;
}

/** Layers that only move or select values: in u8 they keep their input's scale and zero point. */
const PASSTHROUGH = new Set(['MaxPool', 'Resize', 'Concat']);
/** Consumers through which a tensor may stay u8. */
const INT8_CONSUMERS = new Set(['Conv', 'Add', ...PASSTHROUGH]);

/**
 * u8 parameters for values in [lowerBound, threshold] (lowerBound clipped to −threshold): the
 * asymmetric range INT8.md asks for, with zero exactly representable.
 */
export function rangeParams(threshold: number, lowerBound: number): QuantParams {
  const hi = Math.max(threshold, 1e-6);
  const lo = Math.min(0, Math.max(-hi, lowerBound));
  const scale = Math.fround((hi - lo) / 255);
  return { scale, zeroPoint: Math.min(255, Math.max(0, Math.round(-lo / scale))) };
}

/**
 * Rewrites an optimized FP32 network into mixed precision from per-tensor scales (threshold/127):
 * convolutions become KilnQConv (u8 in, per-channel s8 weights, SiLU in the float epilogue, an
 * Add of a residual fused in), MaxPool/nearest Resize/Concat between them stay in u8 with one
 * scale per connected group (so Concat needs no requantizing copies), and KilnQuantize /
 * KilnDequantize mark the boundaries. A convolution none of whose consumers can take u8 (a
 * detection head's output convs) stays FP32 unless `layerPrecision` says 'int8'.
 */
export function quantizeNetwork(
  source: NetworkDefinition,
  infos: Map<string, ValueInfo>,
  scales: ReadonlyMap<string, number>,
  options: {
    layerPrecision?: Readonly<Record<string, LayerPrecision>>;
    /** Scales stated by the model (Q/DQ): a convolution without them stays FP32 instead of failing. */
    explicit?: boolean;
    /** Known value ranges [min, max] of tensors (e.g. an image input in [0, 1]), over any scale. */
    dynamicRanges?: Readonly<Record<string, readonly [number, number]>>;
  } = {},
): { network: NetworkDefinition; report: QuantizationReport } {
  const layerPrecision = options.layerPrecision ?? {};
  const network = source.clone();
  const consumers = consumersOf(network);
  const producers = producersOf(network);
  const outputs = new Set(network.outputs);
  const bounds = valueLowerBounds(network);
  if (options.dynamicRanges) {
    const merged = new Map(scales);
    for (const [name, [min, max]] of Object.entries(options.dynamicRanges)) {
      if (!producers.has(name) && !network.inputs.some((input) => input.name === name)) {
        throw new BuildError(
          `dynamicRanges names '${name}', which is neither an input nor a layer output of the optimized network (misspelled, or fused away: give the range of the fused layer's output)`,
          undefined,
          'KILN_CALIBRATION',
        );
      }
      merged.set(name, Math.max(Math.abs(min), Math.abs(max)) / 127);
      bounds.set(name, Math.max(min, bounds.get(name) ?? -Infinity));
    }
    scales = merged;
  }
  const report: QuantizationReport = { int8: [], fp32: [], quantizeLayers: 0, dequantizeLayers: 0 };
  const readers = (name: string) => consumers.get(name) ?? [];
  const isFloat = (name: string) => infos.get(name)?.dtype === 'float32';

  // 1. Convolutions that can run in INT8.
  const int8Convs = new Set<Layer>();
  const missing = new Set<string>();
  for (const layer of network.layers) {
    if (layer.type !== 'Conv') continue;
    const reason = convIneligibility(layer, network, infos, readers, outputs, layerPrecision);
    if (reason) {
      report.fp32.push({ name: layer.name, reason });
      continue;
    }
    const unscaled = [layer.inputs[0]!, layer.outputs[0]!].filter((name) => !scales.has(name));
    if (unscaled.length && options.explicit) {
      report.fp32.push({ name: layer.name, reason: 'the model gives no Q/DQ range for its input or output' });
      continue;
    }
    for (const name of unscaled) missing.add(name);
    int8Convs.add(layer);
  }
  if (missing.size) {
    const names = [...missing];
    throw new BuildError(
      `the INT8 scales (calibration cache) have no entry for ${names.length} tensor(s) this network needs: ${names.slice(0, 12).map((n) => `'${n}'`).join(', ')}${names.length > 12 ? ', …' : ''} (is the cache from another model?)`,
      undefined,
      'KILN_CALIBRATION',
    );
  }

  // 2. In order: pools/resizes/concats fed only by u8 producers stay u8; residual Adds fuse into
  //    the convolution that computes one of their inputs.
  const u8Producers = new Set<Layer>(int8Convs);
  const passthrough = new Set<Layer>();
  const residualAdds = new Map<Layer, { conv: Layer; residual: string }>();
  const producedU8 = (name: string) => {
    const p = producers.get(name);
    return !!p && u8Producers.has(p);
  };
  for (const layer of network.layers) {
    if (layerPrecision[layer.name] === 'fp32' || outputs.has(layer.outputs[0]!)) continue;
    if (PASSTHROUGH.has(layer.type) && passthroughApplies(layer, network) && dataInputs(layer).every(producedU8)) {
      passthrough.add(layer);
      u8Producers.add(layer);
    } else if (layer.type === 'Add' && layer.inputs.length === 2 && scales.has(layer.outputs[0]!)) {
      const fusion = residualFusion(layer, producers, readers, outputs, int8Convs, producedU8, infos);
      if (fusion) {
        residualAdds.set(layer, fusion);
        u8Producers.add(layer);
      }
    }
  }
  const fusedConvs = new Set([...residualAdds.values()].map((f) => f.conv));

  // 3. Which produced tensors are u8, and one set of parameters per group joined by pass-throughs.
  const wantsU8 = (reader: Layer, name: string) =>
    (int8Convs.has(reader) && reader.inputs[0] === name) || passthrough.has(reader) || residualAdds.get(reader)?.residual === name;
  // A convolution's output that FP32 layers read too (YOLOv5's neck outputs, which feed the FP32
  // head and the next INT8 convolution) is written as float, and the INT8 readers get a quantized
  // copy: the head sees it at full precision (YOLOv5n, entropy: detection F1 against FP32 0.879 → 0.887).
  const leavesInt8 = (out: string) =>
    readers(out).some((r) => !wantsU8(r, out)) && readers(out).every((r) => !wantsU8(r, out) || int8Convs.has(r));
  const u8Tensors = new Set<string>();
  for (const layer of u8Producers) {
    const out = layer.outputs[0]!;
    if (outputs.has(out)) continue;
    if (passthrough.has(layer) || (readers(out).some((r) => wantsU8(r, out)) && !leavesInt8(out))) u8Tensors.add(out);
  }
  const groups = new UnionFind();
  for (const layer of passthrough) for (const input of dataInputs(layer)) groups.union(input, layer.outputs[0]!);
  const groupRange = new Map<string, { threshold: number; lowerBound: number }>();
  for (const name of u8Tensors) {
    const root = groups.find(name);
    const range = groupRange.get(root) ?? { threshold: 0, lowerBound: Infinity };
    range.threshold = Math.max(range.threshold, (scales.get(name) ?? 0) * 127);
    range.lowerBound = Math.min(range.lowerBound, bounds.get(name) ?? -Infinity);
    groupRange.set(root, range);
  }
  const u8Params = (name: string): QuantParams => {
    const range = groupRange.get(groups.find(name))!;
    return rangeParams(range.threshold, range.lowerBound);
  };

  // 4. Rewrite, adding the boundary layers where a tensor crosses between precisions.
  const layers: Layer[] = [];
  const floatVersion = new Map<string, string>();
  const u8Version = new Map<string, string>();
  const asFloat = (name: string): string => {
    if (!u8Tensors.has(name)) return name;
    let converted = floatVersion.get(name);
    if (!converted) {
      converted = `${name}__f32`;
      const p = u8Params(name);
      layers.push({ name: `${name}__dequantize`, type: 'KilnDequantize', inputs: [name], outputs: [converted], attributes: { scale: p.scale, zero_point: p.zeroPoint } });
      report.dequantizeLayers++;
      floatVersion.set(name, converted);
    }
    return converted;
  };
  const asU8 = (name: string): { name: string; params: QuantParams } => {
    if (u8Tensors.has(name)) return { name, params: u8Params(name) };
    const p = rangeParams(scales.get(name)! * 127, bounds.get(name) ?? -Infinity);
    let converted = u8Version.get(name);
    if (!converted) {
      converted = `${name}__u8`;
      layers.push({ name: `${name}__quantize`, type: 'KilnQuantize', inputs: [name], outputs: [converted], attributes: { scale: p.scale, zero_point: p.zeroPoint } });
      report.quantizeLayers++;
      u8Version.set(name, converted);
    }
    return { name: converted, params: p };
  };
  const emitQConv = (conv: Layer, output: string, residual?: string) => {
    const x = asU8(conv.inputs[0]!);
    const attributes: Layer['attributes'] = { ...conv.attributes, x_scale: x.params.scale, x_zero_point: x.params.zeroPoint };
    const u8Out = u8Tensors.has(output);
    attributes.output_dtype = u8Out ? 'uint8' : 'float32';
    if (u8Out) Object.assign(attributes, prefixed('y', u8Params(output)));
    const inputs = [x.name, conv.inputs[1]!, conv.inputs[2] || zeroBias(network, conv)];
    if (residual) {
      const r = asU8(residual);
      Object.assign(attributes, prefixed('r', r.params));
      inputs.push(r.name);
    }
    layers.push({ name: conv.name, type: 'KilnQConv', inputs, outputs: [output], attributes });
    report.int8.push(conv.name);
  };

  for (const layer of network.layers) {
    const fusion = residualAdds.get(layer);
    if (fusion) emitQConv(fusion.conv, layer.outputs[0]!, fusion.residual);
    else if (fusedConvs.has(layer)) continue;
    else if (int8Convs.has(layer)) emitQConv(layer, layer.outputs[0]!);
    else if (passthrough.has(layer)) {
      layers.push(layer);
      report.int8.push(layer.name);
    } else {
      const inputs = layer.inputs.map((name) => (name && isFloat(name) ? asFloat(name) : name));
      layers.push({ ...layer, inputs });
    }
  }
  network.layers = layers;
  return { network, report };
}

function prefixed(prefix: string, p: QuantParams): Layer['attributes'] {
  return { [`${prefix}_scale`]: p.scale, [`${prefix}_zero_point`]: p.zeroPoint };
}

function dataInputs(layer: Layer): string[] {
  return layer.type === 'Resize' ? [layer.inputs[0]!] : layer.inputs.filter((n) => n !== '');
}

function passthroughApplies(layer: Layer, network: NetworkDefinition): boolean {
  if (layer.type === 'Resize') {
    const constantParams = layer.inputs.slice(1).every((n) => !n || network.constants.has(n));
    return attributeString(layer, 'mode', 'nearest') === 'nearest' && constantParams;
  }
  if (layer.type === 'MaxPool') return layer.outputs.length === 1;
  return true;
}

function convIneligibility(
  layer: Layer,
  network: NetworkDefinition,
  infos: Map<string, ValueInfo>,
  readers: (name: string) => Layer[],
  outputs: Set<string>,
  layerPrecision: Readonly<Record<string, LayerPrecision>>,
): string | undefined {
  const forced = layerPrecision[layer.name];
  if (forced === 'fp32') return "layerPrecision says 'fp32'";
  const weights = network.constants.get(layer.inputs[1]!);
  if (!weights || weights.shape.length !== 4 || (layer.inputs[2] && !network.constants.has(layer.inputs[2]))) return 'weights or bias computed at run time';
  if (attributeNumber(layer, 'group', 1) !== 1) return 'grouped or depthwise (no INT8 kernel)';
  if (infos.get(layer.inputs[0]!)?.dtype !== 'float32') return 'input is not float32';
  if (attributeString(layer, 'auto_pad', 'NOTSET') !== 'NOTSET') return 'auto_pad';
  const out = layer.outputs[0]!;
  const headOutput = outputs.has(out) || !readers(out).some((r) => INT8_CONSUMERS.has(r.type));
  if (headOutput && forced !== 'int8') return 'an output layer of the network (its consumers run in FP32)';
  return undefined;
}

function residualFusion(
  add: Layer,
  producers: Map<string, Layer>,
  readers: (name: string) => Layer[],
  outputs: Set<string>,
  int8Convs: Set<Layer>,
  producedU8: (name: string) => boolean,
  infos: Map<string, ValueInfo>,
): { conv: Layer; residual: string } | undefined {
  const [a, b] = add.inputs as [string, string];
  const sameShape = (n: string) => JSON.stringify(infos.get(n)?.shape) === JSON.stringify(infos.get(add.outputs[0]!)?.shape);
  if (!sameShape(a) || !sameShape(b)) return undefined;
  for (const [convOut, residual] of [[b, a], [a, b]] as const) {
    const conv = producers.get(convOut);
    if (!conv || !int8Convs.has(conv) || outputs.has(convOut) || readers(convOut).length !== 1) continue;
    if (!producedU8(residual) || residual === convOut) continue;
    return { conv, residual };
  }
  return undefined;
}

function zeroBias(network: NetworkDefinition, conv: Layer): string {
  const name = `${conv.name}__zero_bias`;
  const channels = network.constants.get(conv.inputs[1]!)!.shape[0]!;
  if (!network.constants.has(name)) network.constants.set(name, { dtype: 'float32', shape: [channels], data: new Float32Array(channels) });
  return name;
}

class UnionFind {
  private readonly parent = new Map<string, string>();
  find(x: string): string {
    let root = x;
    while (this.parent.has(root) && this.parent.get(root) !== root) root = this.parent.get(root)!;
    this.parent.set(x, root);
    return root;
  }
  union(a: string, b: string): void {
    const ra = this.find(a), rb = this.find(b);
    if (ra !== rb) this.parent.set(ra, rb);
  }
}
