import type { Layer } from '../network/layer.js';
import type { NetworkDefinition } from '../network/network.js';
import { analyze } from './analysis/analyze.js';
import { activationOf } from './conv-activation-fusion.js';
import { consumersOf, onlyReadBy, producersOf, zeroBias } from './graph-utils.js';
import type { PassContext } from './pass-context.js';

/**
 * Fuses a residual Add into the Conv that computes one of its operands — YOLOv5's bottleneck
 * `x + cv2(cv1(x))`, ResNet's `relu(...) + x` written as Add after the activation — so the
 * convolution's epilogue adds the residual after its activation instead of a separate pass over
 * memory: the Conv gets the other operand as a 4th input (`y = act(conv(x) + bias) + residual`)
 * and the Add's output.
 *
 * An activation that alone reads the Add's output (ResNet's `relu(conv(x) + x)`) joins the Conv
 * too when the Conv has none of its own: `activation_after_residual` makes the epilogue apply it
 * to the sum, `y = act(conv(x) + bias + residual)`.
 *
 * Applies when both operands and the output are float32 of one shape (no broadcasting), the Conv's
 * weights and bias are constants (a zero bias is added where it has none: the residual is input 3),
 * its output is read only by the Add, and the residual is computed before the Conv runs (a graph
 * input, or written by an earlier layer). Runs after INT8 quantization, so it sees only the
 * convolutions left in FP32 (the INT8 pass fuses residuals into KilnQConv itself).
 */
export function fuseConvResidualAdds(network: NetworkDefinition, context: PassContext = {}): number {
  const adds = network.layers.filter((l) => l.type === 'Add' && !l.domain && l.inputs.length === 2 && l.outputs.length === 1);
  if (!adds.length) return 0;
  const { infos } = analyze(network, context.plugins);
  const consumers = consumersOf(network);
  const producers = producersOf(network);
  const position = new Map(network.layers.map((layer, i) => [layer, i]));
  const sameShape = (a: string, b: string) => {
    const ia = infos.get(a), ib = infos.get(b);
    return !!ia && !!ib && ia.dtype === 'float32' && ib.dtype === 'float32' && JSON.stringify(ia.shape) === JSON.stringify(ib.shape);
  };
  const removed = new Set<Layer>();
  let fused = 0;
  for (const add of adds) {
    const out = add.outputs[0]!;
    const [a, b] = add.inputs as [string, string];
    if (a === b || !sameShape(a, out) || !sameShape(b, out)) continue;
    for (const [convOut, residual] of [[b, a], [a, b]] as const) {
      const conv = producers.get(convOut);
      if (!conv || !fusable(network, conv) || removed.has(conv) || !onlyReadBy(network, consumers, convOut, add)) continue;
      if (network.constants.has(residual)) continue;
      const residualProducer = producers.get(residual);
      if (residualProducer ? position.get(residualProducer)! >= position.get(conv)! : !network.isInput(residual)) continue;
      conv.inputs = [conv.inputs[0]!, conv.inputs[1]!, conv.inputs[2] || zeroBias(network, conv), residual];
      conv.outputs = [out];
      removed.add(add);
      fused++;
      const readers = consumers.get(out) ?? [];
      const after = readers.length === 1 && !conv.attributes.activation ? readers[0]! : undefined;
      const activation = after && onlyReadBy(network, consumers, out, after) && after.outputs.length === 1 ? activationOf(network, after) : undefined;
      if (after && activation) {
        conv.attributes.activation = activation.activation;
        if (activation.alpha !== undefined) conv.attributes.activation_alpha = activation.alpha;
        if (activation.beta !== undefined) conv.attributes.activation_beta = activation.beta;
        conv.attributes.activation_after_residual = 1;
        conv.outputs = [after.outputs[0]!];
        removed.add(after);
      }
      break;
    }
  }
  network.layers = network.layers.filter((layer) => !removed.has(layer));
  return fused;
}

/** A plain Conv with packed (constant) weights and bias and no residual yet. */
function fusable(network: NetworkDefinition, conv: Layer): boolean {
  if (conv.type !== 'Conv' || conv.domain || conv.outputs.length !== 1 || conv.inputs.length > 3) return false;
  const weights = network.constants.get(conv.inputs[1] ?? '');
  return !!weights && weights.shape.length === 4 && (!conv.inputs[2] || network.constants.has(conv.inputs[2]));
}
