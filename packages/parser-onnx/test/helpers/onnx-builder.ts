/**
 * Builds small ONNX models in memory and encodes them with the parser's own protobuf schema, so
 * tests need no Python and no committed binaries. int64 values may be given as strings to keep
 * values beyond 2^53 exact.
 */
import { ModelProtoType } from '../../src/proto/onnx-proto.js';
import { OnnxDataType } from '../../src/tensor/onnx-dtypes.js';

export { OnnxDataType };

type Int64 = number | string;

export interface AttributeInit {
  name: string;
  type: number;
  [field: string]: unknown;
}

/** Attribute constructors, one per ONNX attribute type. */
export const attr = {
  int: (name: string, i: Int64): AttributeInit => ({ name, type: 2, i }),
  float: (name: string, f: number): AttributeInit => ({ name, type: 1, f }),
  string: (name: string, s: string): AttributeInit => ({ name, type: 3, s: new TextEncoder().encode(s) }),
  tensor: (name: string, t: TensorInit): AttributeInit => ({ name, type: 4, t }),
  ints: (name: string, ints: Int64[]): AttributeInit => ({ name, type: 7, ints }),
  floats: (name: string, floats: number[]): AttributeInit => ({ name, type: 6, floats }),
  strings: (name: string, strings: string[]): AttributeInit => ({ name, type: 8, strings: strings.map((s) => new TextEncoder().encode(s)) }),
  graph: (name: string): AttributeInit => ({ name, type: 5, g: { name: 'body' } }),
};

export type TensorInit = Record<string, unknown> & { name?: string; dims: Int64[]; data_type: number };

/** A TensorProto with its values in the typed field ONNX assigns to the data type. */
export function tensor(name: string, dataType: number, dims: Int64[], values: (number | string)[]): TensorInit {
  const field =
    dataType === OnnxDataType.FLOAT ? 'float_data'
    : dataType === OnnxDataType.DOUBLE ? 'double_data'
    : dataType === OnnxDataType.INT64 ? 'int64_data'
    : 'int32_data';
  return { name, dims, data_type: dataType, [field]: values };
}

/** A TensorProto holding `bytes` as raw_data. */
export function rawTensor(name: string, dataType: number, dims: Int64[], bytes: Uint8Array): TensorInit {
  return { name, dims, data_type: dataType, raw_data: bytes };
}

export function floatTensor(name: string, dims: number[], values: number[]): TensorInit {
  return tensor(name, OnnxDataType.FLOAT, dims, values);
}

export function int64Tensor(name: string, dims: number[], values: Int64[]): TensorInit {
  return tensor(name, OnnxDataType.INT64, dims, values);
}

/** Little-endian float32 bytes. */
export function float32Bytes(values: number[]): Uint8Array {
  const view = new DataView(new ArrayBuffer(values.length * 4));
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return new Uint8Array(view.buffer);
}

export function valueInfo(name: string, elemType: number, dims?: (number | string | null)[]) {
  const dim = dims?.map((d) => (d === null ? {} : typeof d === 'number' ? { dim_value: d } : { dim_param: d }));
  return { name, type: { tensor_type: { elem_type: elemType, ...(dim ? { shape: { dim } } : {}) } } };
}

export interface NodeInit {
  op_type: string;
  input: string[];
  output: string[];
  attribute: AttributeInit[];
  name?: string;
  domain?: string;
}

export function node(opType: string, inputs: string[], outputs: string[], attributes: AttributeInit[] = [], extra: { name?: string; domain?: string } = {}): NodeInit {
  return { op_type: opType, input: inputs, output: outputs, attribute: attributes, ...extra };
}

export interface ModelInit {
  /** The standard domain's opset (default 13). */
  opset?: number;
  /** Other domains' opsets. */
  opsets?: Record<string, number>;
  nodes: NodeInit[];
  inputs?: ReturnType<typeof valueInfo>[];
  outputs?: ReturnType<typeof valueInfo>[];
  initializers?: TensorInit[];
  valueInfo?: ReturnType<typeof valueInfo>[];
  metadata?: Record<string, string>;
}

export function modelObject(init: ModelInit): Record<string, unknown> {
  const opsetImport = [{ domain: '', version: init.opset ?? 13 }, ...Object.entries(init.opsets ?? {}).map(([domain, version]) => ({ domain, version }))];
  return {
    ir_version: 8,
    producer_name: 'kiln-test',
    opset_import: opsetImport,
    metadata_props: Object.entries(init.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: 'test',
      node: init.nodes,
      input: init.inputs ?? [],
      output: init.outputs ?? [],
      initializer: init.initializers ?? [],
      value_info: init.valueInfo ?? [],
    },
  };
}

/** The encoded ModelProto. */
export function encodeModel(init: ModelInit): Uint8Array {
  return ModelProtoType.encode(ModelProtoType.fromObject(modelObject(init))).finish();
}

/** A one-node model: float32 input `x` of the given shape, output `y`, plus initializers. */
export function singleNodeModel(
  nodeInit: NodeInit,
  options: { opset?: number; shape?: (number | string)[]; initializers?: TensorInit[]; extraInputs?: ReturnType<typeof valueInfo>[] } = {},
): Uint8Array {
  return encodeModel({
    opset: options.opset,
    nodes: [nodeInit],
    inputs: [valueInfo('x', OnnxDataType.FLOAT, options.shape ?? [1, 3, 8, 8]), ...(options.extraInputs ?? [])],
    outputs: nodeInit.output.filter((name) => name !== '').slice(0, 1).map((name) => valueInfo(name, OnnxDataType.FLOAT)),
    initializers: options.initializers,
  });
}
