import type { NodeContext } from '../graph/node-context.js';
import { ImportFailure } from '../import-failure.js';
import { Decomposition } from './decomposition.js';
import { standardOp, type OpImporter } from './op-importer.js';

/**
 * RotaryEmbedding on [batch, sequence, heads, head size] (4-D inputs transposed to it, 3-D split
 * into heads): the first rotary_embedding_dim values of each head, as halves or (interleaved)
 * even/odd pairs (x1, x2), become (cos·x1 - sin·x2, sin·x1 + cos·x2), cos and sin picked by
 * position_ids where given; the rest pass through.
 */
function importRotaryEmbedding(node: NodeContext): void {
  const [x, cosCache, sinCache, positions] = [0, 1, 2, 3].map((i) => node.input(i));
  const shape = node.graph.shapeOf(x);
  if (!shape || shape.some((dim) => typeof dim !== 'number')) throw new ImportFailure(`input '${x}' must have a static shape`);
  const rank = shape.length;
  if (rank !== 3 && rank !== 4) throw new ImportFailure(`input '${x}' must be 3-D or 4-D, not ${rank}-D`);
  const heads = node.attrs.int('num_heads', 0);
  if (rank === 3 && !heads) throw new ImportFailure("3-D input needs attribute 'num_heads'");
  const headSize = rank === 4 ? (shape[3] as number) : (shape[2] as number) / heads;
  const rotaryDim = node.attrs.int('rotary_embedding_dim', 0) || headSize;
  if (rotaryDim % 2 !== 0 || rotaryDim > headSize) throw new ImportFailure(`rotary_embedding_dim ${rotaryDim} must be even and at most the head size ${headSize}`);
  const half = rotaryDim / 2;
  const interleaved = node.attrs.int('interleaved', 0) === 1;

  const d = new Decomposition(node);
  const ints = (suffix: string, values: number[]) => node.int64Constant(suffix, values);
  const lastAxis = ints('last_axis', [3]);
  const slice = (suffix: string, input: string, start: number, end: number, step = 1) =>
    d.add(suffix, 'Slice', [input, ints(`${suffix}_start`, [start]), ints(`${suffix}_end`, [end]), lastAxis, ints(`${suffix}_step`, [step])]);
  const perHead = rank === 4
    ? d.add('sequence_major', 'Transpose', [x], { perm: [0, 2, 1, 3] })
    : d.add('heads', 'Reshape', [x, ints('heads_shape', [0, 0, heads, -1])], { allowzero: 0 });
  const table = (cache: string, suffix: string) => {
    const picked = positions ? d.add(`${suffix}_picked`, 'Gather', [cache, positions], { axis: 0 }) : cache;
    const cut = d.add(`${suffix}_cut`, 'Slice', [picked, ints(`${suffix}_start`, [0]), ints(`${suffix}_end`, [half]), ints(`${suffix}_axis`, [-1])]);
    return d.add(`${suffix}_per_head`, 'Unsqueeze', [cut, ints(`${suffix}_head_axis`, [2])]);
  };
  const [cos, sin] = [table(cosCache, 'cos'), table(sinCache, 'sin')];
  const rotated = rotaryDim < headSize ? slice('rotated_part', perHead, 0, rotaryDim) : perHead;
  const x1 = interleaved ? slice('x1', rotated, 0, rotaryDim, 2) : slice('x1', rotated, 0, half);
  const x2 = interleaved ? slice('x2', rotated, 1, rotaryDim, 2) : slice('x2', rotated, half, rotaryDim);
  const real = d.add('real', 'Sub', [d.add('cos_x1', 'Mul', [cos, x1]), d.add('sin_x2', 'Mul', [sin, x2])]);
  const imag = d.add('imag', 'Add', [d.add('sin_x1', 'Mul', [sin, x1]), d.add('cos_x2', 'Mul', [cos, x2])]);
  let result = interleaved
    ? d.add('pairs_merged', 'Reshape', [
        d.add('pairs', 'Concat', [d.add('real_pair', 'Unsqueeze', [real, ints('pair_axis', [-1])]), d.add('imag_pair', 'Unsqueeze', [imag, ints('pair_axis_imag', [-1])])], { axis: -1 }),
        ints('pairs_shape', [0, 0, 0, -1]),
      ], { allowzero: 0 })
    : d.add('halves', 'Concat', [real, imag], { axis: -1 });
  if (rotaryDim < headSize) result = d.add('with_rest', 'Concat', [result, slice('rest', perHead, rotaryDim, headSize)], { axis: -1 });
  if (rank === 4) d.finish(node.output(0), 'Transpose', [result], { perm: [0, 2, 1, 3] });
  else d.finish(node.output(0), 'Reshape', [result, ints('output_shape', [0, 0, -1])], { allowzero: 0 });
}

export const rotaryEmbeddingImporters: OpImporter[] = [standardOp('RotaryEmbedding', 23, importRotaryEmbedding)];
