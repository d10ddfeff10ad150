import { readFile } from 'node:fs/promises';
import { Logger, parseOptions, type NetworkDefinition } from '@kiln/core';
import { importModel } from './graph/import-graph.js';
import type { PluginLookup } from './importers/plugin-op.js';
import { supportedOps, type SupportedOp } from './importers/registry.js';
import { OnnxParseError } from './onnx-parse-error.js';
import { parseCallOptionsSchema, parserOptionsSchema, type OnnxParserOptions, type ParseOptions } from './parser-options.js';
import { decodeModelProto, type ModelProto } from './proto/onnx-proto.js';

/** Imports ONNX models into a NetworkDefinition. */
export class OnnxParser {
  private readonly logger: Logger;
  private readonly plugins?: PluginLookup;

  constructor(
    private readonly network: NetworkDefinition,
    options: OnnxParserOptions = {},
  ) {
    const parsed = parseOptions(parserOptionsSchema, options, 'OnnxParser options');
    this.logger = parsed.logger ?? new Logger();
    this.plugins = parsed.plugins;
  }

  /** The ops this parser imports, with the model opsets it imports them for. */
  static supportedOps(): SupportedOp[] {
    return supportedOps();
  }

  /**
   * Imports a serialized ModelProto into the network. Nothing is added unless the whole model
   * imports; otherwise throws OnnxParseError listing every issue.
   */
  parse(bytes: Uint8Array, options: ParseOptions = {}): void {
    const { modelPath } = parseOptions(parseCallOptionsSchema, options, 'parse options');
    if (!(bytes instanceof Uint8Array)) throw new OnnxParseError('the model must be given as a Uint8Array (or Buffer)');
    const imported = importModel(decode(bytes), { logger: this.logger, plugins: this.plugins, modelPath });
    this.adopt(imported);
    this.logger.info(`imported ONNX model: ${imported.layers.length} layers, ${imported.constants.size} constants`);
  }

  /** Reads and imports a model file; its external data is looked up beside it. */
  async parseFromFile(path: string): Promise<void> {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch (error) {
      throw new OnnxParseError(`cannot read ONNX model '${path}': ${(error as Error).message}`, [], { cause: error });
    }
    this.parse(bytes, { modelPath: path });
  }

  private adopt(imported: NetworkDefinition): void {
    const clash = [...imported.inputs.map((i) => i.name), ...imported.constants.keys()].find((name) => this.network.isDefined(name));
    if (clash !== undefined) throw new OnnxParseError(`tensor '${clash}' is already defined in the network`);
    for (const input of imported.inputs) this.network.addInput(input.name, input.dtype, input.shape);
    for (const [name, tensor] of imported.constants) this.network.addConstant(name, tensor);
    for (const layer of imported.layers) this.network.addLayer(layer);
    for (const name of imported.outputs) this.network.markOutput(name);
    Object.assign(this.network.metadata, imported.metadata);
    for (const [name, dtype] of imported.declaredTypes) this.network.declaredTypes.set(name, dtype);
  }
}

function decode(bytes: Uint8Array): ModelProto {
  try {
    return decodeModelProto(bytes);
  } catch (error) {
    throw new OnnxParseError(`not an ONNX model: the bytes do not decode as a ModelProto (${(error as Error).message})`, [], { cause: error });
  }
}
