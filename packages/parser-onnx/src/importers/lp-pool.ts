import type { NodeContext } from '../graph/node-context.js';
import { ImportFailure } from '../import-failure.js';
import { Decomposition } from './decomposition.js';
import { standardOp, type OpImporter } from './op-importer.js';

/**
 * LpPool as (window sum of |x|^p)^(1/p), the window sum being AveragePool with the padding counted
 * (padding adds |0|^p = 0) times the window size.
 */
function importLpPool(node: NodeContext): void {
  const x = node.input(0);
  const kernel = node.attrs.ints('kernel_shape');
  if (!kernel) throw new ImportFailure("attribute 'kernel_shape' is required");
  const n = kernel.length;
  const p = node.attrs.int('p', 2);
  if (p <= 0) throw new ImportFailure(`attribute 'p' = ${p} must be positive`);
  const ceilMode = node.opset >= 18 ? node.attrs.int('ceil_mode', 0) : 0;
  if (ceilMode !== 0) node.fail("attribute 'ceil_mode' = 1 is not supported (a window past the padding would be averaged over fewer elements)");
  const d = new Decomposition(node);
  const exponent = (value: number, suffix: string) => node.floatConstant(suffix, [value], [], x);
  const powered = d.add('powered', 'Pow', [d.add('magnitude', 'Abs', [x]), exponent(p, 'p')]);
  const averaged = d.add('window_mean', 'AveragePool', [powered], {
    auto_pad: node.attrs.string('auto_pad', 'NOTSET')!,
    kernel_shape: kernel,
    strides: node.attrs.ints('strides', new Array(n).fill(1)),
    pads: node.attrs.ints('pads', new Array(2 * n).fill(0)),
    dilations: node.opset >= 18 ? node.attrs.ints('dilations', new Array(n).fill(1)) : new Array(n).fill(1),
    ceil_mode: 0,
    count_include_pad: 1,
  });
  const summed = d.add('window_sum', 'Mul', [averaged, exponent(kernel.reduce((a, b) => a * b, 1), 'window_size')]);
  d.finish(node.output(0), 'Pow', [summed, exponent(1 / p, 'inverse_p')]);
}

export const lpPoolImporters: OpImporter[] = [standardOp('LpPool', 2, importLpPool)];
