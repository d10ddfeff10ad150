import protobuf from 'protobufjs';
import { ONNX_SCHEMA } from './onnx-schema.js';

/** A protobuf int64 as protobufjs decodes it: a Long (`low`/`high` words) or, when small, a number. */
export type Int64 = number | { low: number; high: number; unsigned?: boolean };

export interface StringStringEntry {
  key: string;
  value: string;
}

export interface OperatorSetId {
  domain: string;
  version: Int64;
}

export interface TensorProto {
  dims: Int64[];
  data_type: number;
  segment?: { begin: Int64; end: Int64 } | null;
  float_data: number[];
  int32_data: number[];
  string_data: Uint8Array[];
  int64_data: Int64[];
  name: string;
  raw_data: Uint8Array;
  external_data: StringStringEntry[];
  data_location: number;
  double_data: number[];
  uint64_data: Int64[];
}

export interface AttributeProto {
  name: string;
  ref_attr_name: string;
  type: number;
  f: number;
  i: Int64;
  s: Uint8Array;
  t?: TensorProto | null;
  g?: unknown;
  floats: number[];
  ints: Int64[];
  strings: Uint8Array[];
  tensors: TensorProto[];
  graphs: unknown[];
}

export interface NodeProto {
  input: string[];
  output: string[];
  name: string;
  op_type: string;
  domain: string;
  attribute: AttributeProto[];
}

export interface TensorShapeDimension {
  dim_value: Int64;
  dim_param: string;
  /** The oneof case that is set, if any. */
  value?: 'dim_value' | 'dim_param';
}

export interface TypeProto {
  tensor_type?: { elem_type: number; shape?: { dim: TensorShapeDimension[] } | null } | null;
  /** The oneof case that is set, if any. */
  value?: string;
}

export interface ValueInfoProto {
  name: string;
  type?: TypeProto | null;
}

export interface GraphProto {
  node: NodeProto[];
  name: string;
  initializer: TensorProto[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
  value_info: ValueInfoProto[];
}

export interface ModelProto {
  ir_version: Int64;
  opset_import: OperatorSetId[];
  producer_name: string;
  producer_version: string;
  graph?: GraphProto | null;
  metadata_props: StringStringEntry[];
}

/** AttributeProto.AttributeType values. */
export const AttributeType = {
  UNDEFINED: 0, FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8,
  TENSORS: 9, GRAPHS: 10, SPARSE_TENSOR: 11, SPARSE_TENSORS: 12, TYPE_PROTO: 13, TYPE_PROTOS: 14,
} as const;

export const DataLocation = { DEFAULT: 0, EXTERNAL: 1 } as const;

const root = protobuf.parse(ONNX_SCHEMA, { keepCase: true }).root;

/** The reflected ModelProto type, for decoding models and (in tests) encoding them. */
export const ModelProtoType = root.lookupType('onnx.ModelProto');

/** The reflected TensorProto type, for the serialized tensors of test data (`input_0.pb`). */
export const TensorProtoType = root.lookupType('onnx.TensorProto');

/** Decodes a serialized TensorProto. */
export function decodeTensorProto(bytes: Uint8Array): TensorProto {
  return TensorProtoType.decode(bytes) as unknown as TensorProto;
}

/** Decodes a ModelProto; throws protobufjs' error on bytes that are not one. */
export function decodeModelProto(bytes: Uint8Array): ModelProto {
  return ModelProtoType.decode(bytes) as unknown as ModelProto;
}

/** Whether a decoded message carries a field on the wire (proto2 presence), not just its default. */
export function hasField(message: object, field: string): boolean {
  return Object.prototype.hasOwnProperty.call(message, field);
}
