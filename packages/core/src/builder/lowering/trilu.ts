import { BuildError } from '../../errors.js';
import { attributeNumber } from '../../network/layer.js';
import { createTensor } from '../../tensor.js';
import { nativeLayer, type Lowering } from './context.js';

/**
 * Trilu as Where(mask, x, 0) with a build-time mask over the last two axes: element (i, j) is kept
 * when j - i >= k (upper) or j - i <= k (lower). Needs k and those two dimensions at build time.
 */
export const lowerTrilu: Lowering = (layer, ctx) => {
  const x = ctx.info(layer.inputs[0], layer);
  if (x.shape.length < 2) throw new BuildError('Trilu needs an input of rank 2 or more', layer.name);
  const [rows, cols] = x.shape.slice(-2);
  if (typeof rows !== 'number' || typeof cols !== 'number') throw new BuildError('Trilu needs static sizes of the last two axes', layer.name, 'KILN_UNSUPPORTED');
  const [k] = ctx.optionalConstantNumbers(layer, 1, 'Trilu k') ?? [0];
  const upper = attributeNumber(layer, 'upper', 1) === 1;
  const mask = new Uint8Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mask[i * cols + j] = (upper ? j - i >= k : j - i <= k) ? 1 : 0;
  const maskName = `${layer.name}__mask`;
  const zeroName = `${layer.name}__zero`;
  ctx.network.constants.set(maskName, createTensor('bool', [rows, cols], mask));
  ctx.network.constants.set(zeroName, createTensor(x.dtype, []));
  return [nativeLayer(layer, 'Where', {}, [maskName, layer.inputs[0], zeroName])];
};
