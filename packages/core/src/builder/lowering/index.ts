import { BuildError } from '../../errors.js';
import type { NetworkDefinition } from '../../network/network.js';
import { analyze } from '../../optimizer/analysis/analyze.js';
import type { ValueInfo } from '../../optimizer/analysis/shape-rules.js';
import type { NativeGraph, NativeLayer } from '../../native.js';
import { isPluginLayer, pluginLayerAttrs } from '../../plugins/plugin-layer.js';
import type { PluginRegistry } from '../../plugins/plugin-registry.js';
import { LoweringContext, type Lowering } from './context.js';
import { lowerBottleneck, lowerConv, lowerFromBlocked, lowerStem, lowerToBlocked } from './convolution.js';
import { lowerConvTranspose } from './conv-transpose.js';
import { lowerNonMaxSuppression } from './detection.js';
import { ELEMENTWISE_LOWERINGS } from './elementwise.js';
import { POOLING_LOWERINGS } from './pooling.js';
import { lowerResize } from './resize.js';
import { SHAPE_LOWERINGS } from './shape-ops.js';
import { lowerTrilu } from './trilu.js';
import { lowerYoloDecode } from './yolo-decode.js';
import { INDEXING_LOWERINGS } from './indexing.js';
import { MATH_LOWERINGS } from './math.js';
import { MATMUL_LOWERINGS } from './matmul.js';
import { NORMALIZATION_LOWERINGS } from './normalization.js';
import { REDUCTION_LOWERINGS } from './reduction.js';
import { QUANTIZATION_LOWERINGS } from './quantization.js';

const LOWERINGS: Record<string, Lowering> = {
  Conv: lowerConv,
  KilnConvBlocked: lowerConv,
  KilnBottleneckBlocked: lowerBottleneck,
  KilnStemBlocked: lowerStem,
  KilnToBlocked: lowerToBlocked,
  KilnFromBlocked: lowerFromBlocked,
  ConvTranspose: lowerConvTranspose,
  NonMaxSuppression: lowerNonMaxSuppression,
  KilnYoloDecode: lowerYoloDecode,
  Resize: lowerResize,
  Trilu: lowerTrilu,
  ...ELEMENTWISE_LOWERINGS,
  ...SHAPE_LOWERINGS,
  ...POOLING_LOWERINGS,
  ...MATH_LOWERINGS,
  ...MATMUL_LOWERINGS,
  ...REDUCTION_LOWERINGS,
  ...NORMALIZATION_LOWERINGS,
  ...INDEXING_LOWERINGS,
  ...QUANTIZATION_LOWERINGS,
};

export interface InputProfile {
  min: number[];
  opt: number[];
  max: number[];
}

/**
 * Translates the optimized network into the native engine's layer set, each tensor with its
 * element type (the native layers refuse types they have no kernel for). Throws BuildError listing
 * every layer the native engine cannot run, by name.
 */
export function lowerNetwork(network: NetworkDefinition, profiles: Record<string, InputProfile>, plugins?: PluginRegistry): { graph: NativeGraph; infos: Map<string, ValueInfo> } {
  const { infos } = analyze(network, plugins);
  const ctx = new LoweringContext(network, infos);
  const problems: string[] = [];
  const layers: NativeLayer[] = [];
  for (const layer of network.layers) {
    if (isPluginLayer(layer, plugins)) {
      try {
        layers.push({ name: layer.name, type: 'Plugin', inputs: layer.inputs.filter((n) => n !== ''), outputs: [...layer.outputs], attrs: pluginLayerAttrs(layer, plugins!) });
      } catch (error) {
        if (error instanceof BuildError) problems.push(error.message);
        else throw error;
      }
      continue;
    }
    const lowering = LOWERINGS[layer.type];
    if (!lowering) {
      problems.push(`layer '${layer.name}': no native kernel for ${layer.domain ? `${layer.domain}::` : ''}${layer.type}`);
      continue;
    }
    try {
      layers.push(...lowering(layer, ctx));
    } catch (error) {
      if (error instanceof BuildError) problems.push(error.message);
      else throw error;
    }
  }
  if (problems.length) throw new BuildError(`the network cannot be built:\n  ${problems.join('\n  ')}`, undefined, 'KILN_UNSUPPORTED');

  const used = new Set(layers.flatMap((l) => l.inputs));
  for (const name of network.outputs) used.add(name);
  const constants = [...network.constants]
    .filter(([name]) => used.has(name))
    .map(([name, tensor]) => ({ name, dtype: tensor.dtype, shape: [...tensor.shape], data: tensor.data }));

  const inputs = network.inputs.map((input) => {
    const shape = input.shape.map((d) => (typeof d === 'number' ? d : -1));
    const profile = profiles[input.name];
    const pick = (values: number[] | undefined, fallback: number) => shape.map((d, i) => (d >= 0 ? d : (values?.[i] ?? fallback)));
    return { name: input.name, dtype: input.dtype, shape, minShape: pick(profile?.min, 1), optShape: pick(profile?.opt, 1), maxShape: pick(profile?.max, -1) };
  });
  const typed = layers.map((layer) => ({ ...layer, outputTypes: layer.outputs.map((name) => infos.get(name)?.dtype ?? 'float32') }));
  return { graph: { inputs, outputs: [...network.outputs], constants, layers: typed }, infos };
}
