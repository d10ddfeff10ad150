import { createTensor, type Tensor } from '@kiln/core';
import type { NodeContext } from '../graph/node-context.js';
import { ImportFailure } from '../import-failure.js';
import { numberToInt64 } from '../proto/int64.js';
import { standardOp, type OpImporter } from './op-importer.js';

const VALUE_ATTRIBUTES = ['value', 'value_float', 'value_floats', 'value_int', 'value_ints', 'value_string', 'value_strings', 'sparse_value'];

function constantValue(node: NodeContext, attribute: string): Tensor {
  const { attrs } = node;
  switch (attribute) {
    case 'value':
      return attrs.tensor('value')!;
    case 'value_float':
      return createTensor('float32', [], Float32Array.of(attrs.float('value_float')!));
    case 'value_floats': {
      const values = attrs.floats('value_floats')!;
      return createTensor('float32', [values.length], Float32Array.from(values));
    }
    case 'value_int':
      return createTensor('int64', [], BigInt64Array.of(numberToInt64(attrs.int('value_int')!)));
    case 'value_ints': {
      const values = attrs.ints('value_ints')!;
      return createTensor('int64', [values.length], BigInt64Array.from(values, numberToInt64));
    }
    case 'sparse_value':
      attrs.touch(attribute);
      throw new ImportFailure("attribute 'sparse_value' (a sparse tensor) is not supported");
    default:
      attrs.touch(attribute);
      throw new ImportFailure(`attribute '${attribute}' is a string tensor, which Kiln has no dtype for`);
  }
}

/** Constant (every value_* form) becomes a network constant, not a layer. */
function importConstant(node: NodeContext): void {
  const given = VALUE_ATTRIBUTES.filter((name) => node.attrs.has(name));
  if (given.length !== 1) throw new ImportFailure(`needs exactly one value attribute, got ${given.length ? given.join(', ') : 'none'}`);
  const tensor = constantValue(node, given[0]);
  node.graph.network.addConstant(node.output(0), tensor);
}

/** ConstantOfShape's value defaults to a float32 zero. */
function importConstantOfShape(node: NodeContext): void {
  const value = node.attrs.tensor('value') ?? createTensor('float32', [1]);
  if (value.data.length !== 1) throw new ImportFailure(`attribute 'value' must hold one element, got ${value.data.length}`);
  node.emit({ type: 'ConstantOfShape', inputs: [node.input(0)], outputs: [node.output(0)], attributes: { value } });
}

export const constantImporters: OpImporter[] = [
  standardOp('Constant', 1, importConstant),
  standardOp('ConstantOfShape', 9, importConstantOfShape),
];
