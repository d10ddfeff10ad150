import type { NativeLayer } from '../../native.js';
import { nativeLayer, str, type Lowering } from './context.js';

/**
 * Clip of a non-float32 input (whose bounds have its element type) as TypedBinary max with `min`
 * then min with `max`; absent bounds are skipped.
 */
export const lowerTypedClip: Lowering = (layer, ctx) => {
  const [x, low, high] = [layer.inputs[0], layer.inputs[1] ?? '', layer.inputs[2] ?? ''];
  const steps = [['max', low], ['min', high]].filter(([, bound]) => bound !== '');
  if (!steps.length) return [nativeLayer(layer, 'TypedUnary', { op: str('identity') }, [x])];
  const out: NativeLayer[] = [];
  let current = x;
  steps.forEach(([op, bound], i) => {
    const last = i === steps.length - 1;
    const output = last ? layer.outputs[0] : `${layer.name}__clipped_below`;
    if (!last) ctx.infos.set(output, ctx.info(x, layer));
    out.push({ name: last ? layer.name : `${layer.name}__${op}`, type: 'TypedBinary', inputs: [current, bound], outputs: [output], attrs: { op: str(op) } });
    current = output;
  });
  return out;
};
