import { createTensor, type AttributeValue } from '@kiln/core';
import type { NodeContext } from '../graph/node-context.js';
import { ImportFailure } from '../import-failure.js';
import { standardOp, type OpImporter } from './op-importer.js';

const MODES = ['nearest', 'linear', 'cubic'];
const NEAREST_MODES = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];
const KEEP_ASPECT_RATIO_POLICIES = ['stretch', 'not_larger', 'not_smaller'];

function coordinateModes(opset: number): string[] {
  const modes = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_crop_and_resize'];
  return opset >= 19 ? [...modes, 'half_pixel_symmetric'] : modes;
}

function oneOf(node: NodeContext, name: string, value: string, allowed: string[]): string {
  if (!allowed.includes(value)) node.fail(`attribute '${name}' = '${value}' is not one of ${allowed.join(', ')}`);
  return value;
}

/** Resize's attributes with every default of opset 19 filled in, then `given` on top. */
function resizeAttributes(given: Record<string, AttributeValue>): Record<string, AttributeValue> {
  return {
    antialias: 0,
    coordinate_transformation_mode: 'half_pixel',
    cubic_coeff_a: Math.fround(-0.75),
    exclude_outside: 0,
    extrapolation_value: 0,
    keep_aspect_ratio_policy: 'stretch',
    mode: 'nearest',
    nearest_mode: 'round_prefer_floor',
    ...given,
  };
}

/** How Upsample (all opsets) and Resize-10 map input to output coordinates, in Resize-11+ terms. */
function legacyResize(node: NodeContext, scales: string): void {
  const mode = oneOf(node, 'mode', node.attrs.string('mode', 'nearest'), ['nearest', 'linear']);
  node.emit({
    type: 'Resize',
    inputs: [node.input(0), '', scales],
    outputs: [node.output(0)],
    attributes: resizeAttributes({ mode, coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }),
  });
}

function isEmptyConstant(node: NodeContext, name: string): boolean {
  const constant = node.graph.constantOf(name);
  return constant !== undefined && constant.data.length === 0;
}

function importResize(node: NodeContext): void {
  if (node.opset < 11) return legacyResize(node, node.input(1));
  const mode = oneOf(node, 'mode', node.attrs.string('mode', 'nearest'), MODES);
  const transform = node.attrs.string('coordinate_transformation_mode', 'half_pixel');
  if (transform === 'tf_half_pixel_for_nn') {
    node.fail("attribute 'coordinate_transformation_mode' = 'tf_half_pixel_for_nn' is not supported (opset 13 removed it)");
  } else {
    oneOf(node, 'coordinate_transformation_mode', transform, coordinateModes(node.opset));
  }
  const antialias = node.attrs.int('antialias', 0);
  if (antialias !== 0) node.fail(`attribute 'antialias' = ${antialias} is not supported`);
  const axes = node.attrs.ints('axes');
  const attributes = resizeAttributes({
    antialias,
    ...(axes ? { axes } : {}),
    coordinate_transformation_mode: transform,
    cubic_coeff_a: node.attrs.float('cubic_coeff_a', -0.75),
    exclude_outside: node.attrs.int('exclude_outside', 0),
    extrapolation_value: node.attrs.float('extrapolation_value', 0),
    keep_aspect_ratio_policy: oneOf(node, 'keep_aspect_ratio_policy', node.attrs.string('keep_aspect_ratio_policy', 'stretch'), KEEP_ASPECT_RATIO_POLICIES),
    mode,
    nearest_mode: oneOf(node, 'nearest_mode', node.attrs.string('nearest_mode', 'round_prefer_floor'), NEAREST_MODES),
  });
  // Opsets 11 and 12 require roi and scales to be present (empty when unused); 13+ let them be omitted.
  const roi = transform === 'tf_crop_and_resize' ? node.input(1) : '';
  const sizes = node.input(3);
  let scales = node.input(2);
  if (sizes !== '' && isEmptyConstant(node, scales)) scales = '';
  if (scales === '' && sizes === '') throw new ImportFailure("gives neither 'scales' nor 'sizes'");
  node.emit({ type: 'Resize', inputs: [node.input(0), roi, scales, sizes], outputs: [node.output(0)], attributes });
}

/** Upsample (deprecated at opset 10) is Resize with scales; before opset 9 the scales are an attribute. */
function importUpsample(node: NodeContext): void {
  if (node.opset >= 9) return legacyResize(node, node.input(1));
  const scales = node.attrs.floats('scales');
  if (!scales) throw new ImportFailure("attribute 'scales' is required");
  legacyResize(node, node.constant('scales', createTensor('float32', [scales.length], Float32Array.from(scales))));
}

export const resizeImporters: OpImporter[] = [
  standardOp('Resize', 10, importResize),
  standardOp('Upsample', 7, importUpsample),
];
