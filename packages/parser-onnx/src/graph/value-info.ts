import type { Dim } from '@kiln/core';
import { int64ToNumber } from '../proto/int64.js';
import type { ValueInfoProto } from '../proto/onnx-proto.js';

export interface TensorType {
  /** The ONNX element type (TensorProto.DataType), 0 when not given. */
  elemType: number;
  /** Undefined when the rank is unknown (no shape at all). */
  shape?: Dim[];
}

/** Names dimensions that a model leaves without a value or a name: `unk__0`, `unk__1`, ... */
export class UnknownDimNamer {
  private next = 0;
  constructor(private readonly taken: (name: string) => boolean = () => false) {}

  fresh(): string {
    let name: string;
    do name = `unk__${this.next++}`; while (this.taken(name));
    return name;
  }
}

/** The tensor type a ValueInfoProto declares, or undefined when it is not a tensor. */
export function tensorTypeOf(info: ValueInfoProto, dims: UnknownDimNamer): TensorType | undefined {
  const tensorType = info.type?.tensor_type;
  if (!tensorType) return undefined;
  if (!tensorType.shape) return { elemType: tensorType.elem_type };
  const shape = tensorType.shape.dim.map((dim): Dim => {
    if (dim.value === 'dim_value') return int64ToNumber(dim.dim_value);
    if (dim.value === 'dim_param' && dim.dim_param !== '') return dim.dim_param;
    return dims.fresh();
  });
  return { elemType: tensorType.elem_type, shape };
}
