import { BuildError } from '../../errors.js';
import type { Layer } from '../../network/layer.js';
import type { NetworkDefinition } from '../../network/network.js';
import type { ValueInfo } from '../../optimizer/analysis/shape-rules.js';
import type { NativeAttr, NativeLayer } from '../../native.js';
import { toNumbers } from '../../tensor.js';

/** What a lowering function can see of the optimized network. */
export class LoweringContext {
  constructor(readonly network: NetworkDefinition, readonly infos: Map<string, ValueInfo>) {}

  info(name: string, layer: Layer): ValueInfo {
    const info = this.infos.get(name);
    if (!info) throw new BuildError(`tensor '${name}' has no inferred shape`, layer.name);
    return info;
  }

  /** The values of a constant integer/float input, or a BuildError saying it must be constant. */
  constantNumbers(layer: Layer, index: number, what: string): number[] {
    const name = layer.inputs[index];
    const tensor = name ? this.network.constants.get(name) : undefined;
    if (!tensor) throw new BuildError(`${what} (input ${index}) must be a constant known at build time`, layer.name, 'KILN_UNSUPPORTED');
    return toNumbers(tensor);
  }

  optionalConstantNumbers(layer: Layer, index: number, what: string): number[] | undefined {
    return layer.inputs[index] ? this.constantNumbers(layer, index, what) : undefined;
  }
}

export type Lowering = (layer: Layer, ctx: LoweringContext) => NativeLayer[];

export const ints = (values: number[]): NativeAttr => ({ ints: values.map((v) => clampInt(v)) });
export const floats = (values: number[]): NativeAttr => ({ floats: values });
export const str = (value: string): NativeAttr => ({ str: value });

/** int64 sentinels such as INT64_MAX in Slice ends, clamped to what a double holds exactly. */
function clampInt(v: number): number {
  return Math.max(Math.min(v, Number.MAX_SAFE_INTEGER), Number.MIN_SAFE_INTEGER);
}

export function nativeLayer(layer: Layer, type: string, attrs: Record<string, NativeAttr>, inputs = layer.inputs.filter((n) => n !== '')): NativeLayer {
  return { name: layer.name, type, inputs, outputs: [...layer.outputs], attrs };
}
