import type { Dim, DType, Logger, NetworkDefinition, Tensor } from '@kiln/core';
import type { OnnxParseIssue } from '../onnx-parse-error.js';

export interface ImportContextInit {
  /** The network being filled (a scratch one: the parser hands it over only when nothing failed). */
  network: NetworkDefinition;
  logger: Logger;
  /** Every tensor name the model mentions, so that created names avoid them. */
  tensorNames: Set<string>;
  /** Every node name the model gives. */
  layerNames: Set<string>;
  /** Tensors that some node reads or the graph outputs. */
  consumed: Set<string>;
}

/** What importers may ask about the graph being imported, and where they record issues. */
export class ImportContext {
  readonly network: NetworkDefinition;
  readonly logger: Logger;
  readonly issues: OnnxParseIssue[] = [];
  private readonly tensorNames: Set<string>;
  private readonly layerNames: Set<string>;
  private readonly consumed: Set<string>;
  /** Shapes that value_info and graph outputs declare. */
  private readonly declaredShapes = new Map<string, Dim[]>();

  constructor(init: ImportContextInit) {
    this.network = init.network;
    this.logger = init.logger;
    this.tensorNames = init.tensorNames;
    this.layerNames = init.layerNames;
    this.consumed = init.consumed;
  }

  /** `base`, or `base_1`, `base_2`, ... when taken; the name is reserved. */
  uniqueTensorName(base: string): string {
    return reserve(this.tensorNames, base);
  }

  uniqueLayerName(base: string): string {
    return reserve(this.layerNames, base);
  }

  /** Whether a node reads the tensor or the graph outputs it. */
  isUsed(name: string): boolean {
    return name !== '' && this.consumed.has(name);
  }

  constantOf(name: string): Tensor | undefined {
    return this.network.constants.get(name);
  }

  /** The tensor's shape where the model tells it: constants, graph inputs, value_info. */
  shapeOf(name: string): Dim[] | undefined {
    const constant = this.network.constants.get(name);
    if (constant) return constant.shape;
    const input = this.network.inputs.find((info) => info.name === name);
    return input ? input.shape : this.declaredShapes.get(name);
  }

  dtypeOf(name: string): DType | undefined {
    const constant = this.network.constants.get(name);
    if (constant) return constant.dtype;
    const input = this.network.inputs.find((info) => info.name === name);
    return input ? input.dtype : this.network.declaredTypes.get(name);
  }

  declareShape(name: string, shape: Dim[]): void {
    this.declaredShapes.set(name, shape);
  }

  addIssue(issue: OnnxParseIssue): void {
    this.issues.push(issue);
  }
}

function reserve(taken: Set<string>, base: string): string {
  let name = base;
  for (let n = 1; taken.has(name); n++) name = `${base}_${n}`;
  taken.add(name);
  return name;
}
