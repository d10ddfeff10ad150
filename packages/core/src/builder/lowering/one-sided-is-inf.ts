import { createTensor } from '../../tensor.js';
import { attributeNumber } from '../../network/layer.js';
import { nativeLayer, str, type Lowering } from './context.js';

/** IsInf detecting one sign only: IsInf(x) and x > 0 (or x < 0). */
export const lowerOneSidedIsInf: Lowering = (layer, ctx) => {
  const x = layer.inputs[0];
  const info = ctx.info(x, layer);
  const positive = attributeNumber(layer, 'detect_positive', 1) === 1;
  const [infinite, signed, zero] = [`${layer.name}__infinite`, `${layer.name}__signed`, `${layer.name}__zero`];
  const boolInfo = { dtype: 'bool' as const, shape: info.shape };
  ctx.infos.set(infinite, boolInfo);
  ctx.infos.set(signed, boolInfo);
  ctx.network.constants.set(zero, createTensor(info.dtype, []));
  return [
    { name: `${layer.name}__is_inf`, type: 'TypedUnary', inputs: [x], outputs: [infinite], attrs: { op: str('isinf') } },
    { name: `${layer.name}__sign`, type: 'TypedBinary', inputs: [x, zero], outputs: [signed], attrs: { op: str(positive ? 'greater' : 'less') } },
    nativeLayer(layer, 'TypedBinary', { op: str('and') }, [infinite, signed]),
  ];
};
