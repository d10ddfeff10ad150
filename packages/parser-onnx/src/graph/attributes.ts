import type { AttributeValue, Tensor } from '@kiln/core';
import { ImportFailure } from '../import-failure.js';
import { int64ToNumber } from '../proto/int64.js';
import { AttributeType, hasField, type AttributeProto } from '../proto/onnx-proto.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

const TYPE_NAMES = Object.fromEntries(Object.entries(AttributeType).map(([name, value]) => [value, name]));

export type TensorDecoder = (proto: NonNullable<AttributeProto['t']>, label: string) => Tensor;

/**
 * A node's attributes, converted on demand to Kiln attribute values and typed by ONNX's declared
 * kind. Remembers which were read, so that the rest can be reported as ignored.
 */
export class AttributeReader {
  private readonly protos = new Map<string, AttributeProto>();
  private readonly read = new Set<string>();

  constructor(attributes: AttributeProto[], private readonly decodeTensor: TensorDecoder) {
    for (const attribute of attributes) this.protos.set(attribute.name, attribute);
  }

  has(name: string): boolean {
    return this.protos.has(name);
  }

  names(): string[] {
    return [...this.protos.keys()];
  }

  /** Attributes present on the node that no importer read. */
  unread(): string[] {
    return this.names().filter((name) => !this.read.has(name));
  }

  int(name: string): number | undefined;
  int(name: string, fallback: number): number;
  int(name: string, fallback?: number): number | undefined {
    const proto = this.take(name, AttributeType.INT);
    return proto ? int64ToNumber(proto.i) : fallback;
  }

  ints(name: string): number[] | undefined;
  ints(name: string, fallback: number[]): number[];
  ints(name: string, fallback?: number[]): number[] | undefined {
    const proto = this.take(name, AttributeType.INTS);
    return proto ? proto.ints.map(int64ToNumber) : fallback;
  }

  /** A float attribute; the fallback is rounded to float32 as ONNX stores it. */
  float(name: string): number | undefined;
  float(name: string, fallback: number): number;
  float(name: string, fallback?: number): number | undefined {
    const proto = this.take(name, AttributeType.FLOAT);
    if (proto) return proto.f;
    return fallback === undefined ? undefined : Math.fround(fallback);
  }

  floats(name: string): number[] | undefined {
    const proto = this.take(name, AttributeType.FLOATS);
    return proto ? [...proto.floats] : undefined;
  }

  string(name: string): string | undefined;
  string(name: string, fallback: string): string;
  string(name: string, fallback?: string): string | undefined {
    const proto = this.take(name, AttributeType.STRING);
    return proto ? decodeUtf8(proto.s, name) : fallback;
  }

  tensor(name: string): Tensor | undefined {
    const proto = this.take(name, AttributeType.TENSOR);
    return proto ? this.decodeTensor(proto.t!, `attribute '${name}'`) : undefined;
  }

  /** Marks an attribute as read without converting it (for attributes an importer refuses by name). */
  touch(name: string): void {
    this.read.add(name);
  }

  /** Any attribute as a Kiln value; graphs, sparse tensors and type protos have none. */
  value(name: string): AttributeValue | undefined {
    const proto = this.protos.get(name);
    if (!proto) return undefined;
    switch (attributeType(proto)) {
      case AttributeType.FLOAT: return this.float(name);
      case AttributeType.INT: return this.int(name);
      case AttributeType.STRING: return this.string(name);
      case AttributeType.TENSOR: return this.tensor(name);
      case AttributeType.FLOATS: return this.floats(name);
      case AttributeType.INTS: return this.ints(name);
      case AttributeType.STRINGS:
        this.read.add(name);
        return proto.strings.map((bytes) => decodeUtf8(bytes, name));
      default:
        this.read.add(name);
        throw new ImportFailure(`attribute '${name}' is a ${TYPE_NAMES[attributeType(proto)] ?? 'value'}, which Kiln cannot import`);
    }
  }

  private take(name: string, expected: number): AttributeProto | undefined {
    const proto = this.protos.get(name);
    if (!proto) return undefined;
    this.read.add(name);
    const actual = attributeType(proto);
    if (actual !== expected) {
      throw new ImportFailure(`attribute '${name}' must be ${TYPE_NAMES[expected]}, got ${TYPE_NAMES[actual] ?? actual}`);
    }
    if (proto.ref_attr_name) throw new ImportFailure(`attribute '${name}' refers to a function attribute, which Kiln cannot import`);
    return proto;
  }
}

/** The attribute's type; IR version 1 models leave it out, so it is told from the field set. */
function attributeType(proto: AttributeProto): number {
  if (proto.type !== AttributeType.UNDEFINED) return proto.type;
  if (hasField(proto, 'f')) return AttributeType.FLOAT;
  if (hasField(proto, 'i')) return AttributeType.INT;
  if (hasField(proto, 's')) return AttributeType.STRING;
  if (proto.t) return AttributeType.TENSOR;
  if (proto.g) return AttributeType.GRAPH;
  if (proto.floats.length) return AttributeType.FLOATS;
  if (proto.ints.length) return AttributeType.INTS;
  if (proto.strings.length) return AttributeType.STRINGS;
  if (proto.tensors.length) return AttributeType.TENSORS;
  if (proto.graphs.length) return AttributeType.GRAPHS;
  return AttributeType.UNDEFINED;
}

function decodeUtf8(bytes: Uint8Array, name: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ImportFailure(`attribute '${name}' is not valid UTF-8`);
  }
}
