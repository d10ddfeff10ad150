import { BuildError } from '../../errors.js';
import { attributeNumber, attributeString } from '../../network/layer.js';
import { floats, ints, nativeLayer, str, type Lowering } from './context.js';

export const lowerResize: Lowering = (layer, ctx) => {
  const mode = attributeString(layer, 'mode', 'nearest');
  if (mode === 'cubic') throw new BuildError("Resize mode 'cubic' is not supported", layer.name, 'KILN_UNSUPPORTED');
  if (attributeNumber(layer, 'antialias', 0) !== 0) throw new BuildError('Resize antialias is not supported', layer.name, 'KILN_UNSUPPORTED');
  const refused = [
    attributeString(layer, 'coordinate_transformation_mode', 'half_pixel') === 'tf_crop_and_resize' && "coordinate_transformation_mode 'tf_crop_and_resize'",
    layer.attributes.axes !== undefined && "attribute 'axes'",
    attributeString(layer, 'keep_aspect_ratio_policy', 'stretch') !== 'stretch' && `keep_aspect_ratio_policy '${attributeString(layer, 'keep_aspect_ratio_policy')}'`,
  ].filter(Boolean);
  if (refused.length) throw new BuildError(`Resize ${refused.join(', ')} is not supported`, layer.name, 'KILN_UNSUPPORTED');
  const sizes = ctx.optionalConstantNumbers(layer, 3, 'Resize sizes');
  const scales = ctx.optionalConstantNumbers(layer, 2, 'Resize scales');
  const attrs = {
    mode: str(mode),
    coordinate_transformation_mode: str(attributeString(layer, 'coordinate_transformation_mode', 'half_pixel')),
    nearest_mode: str(attributeString(layer, 'nearest_mode', 'round_prefer_floor')),
    ...(sizes && sizes.length ? { sizes: ints(sizes) } : { scales: floats(scales ?? []) }),
  };
  return [nativeLayer(layer, 'Resize', attrs, [layer.inputs[0]])];
};
