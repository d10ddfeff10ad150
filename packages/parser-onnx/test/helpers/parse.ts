import { Logger, NetworkDefinition, type Layer, type Tensor } from '@kiln/core';
import { OnnxParseError, OnnxParser, type OnnxParseIssue, type PluginLookup } from '../../src/index.js';

export interface Parsed {
  network: NetworkDefinition;
  warnings: string[];
}

/** Parses with a logger that collects warnings instead of printing them. */
export function parseModel(bytes: Uint8Array, options: { modelPath?: string; plugins?: PluginLookup } = {}): Parsed {
  const warnings: string[] = [];
  const logger = new Logger({ severity: 'warning', sink: (severity, message) => severity === 'warning' && warnings.push(message) });
  const network = new NetworkDefinition();
  new OnnxParser(network, { logger, plugins: options.plugins }).parse(bytes, { modelPath: options.modelPath });
  return { network, warnings };
}

/** The OnnxParseError that parsing throws. */
export function parseError(bytes: Uint8Array, options: { modelPath?: string; plugins?: PluginLookup } = {}): OnnxParseError {
  try {
    parseModel(bytes, options);
  } catch (error) {
    if (error instanceof OnnxParseError) return error;
    throw error;
  }
  throw new Error('expected the model to be refused');
}

export function parseIssues(bytes: Uint8Array, options: { modelPath?: string } = {}): OnnxParseIssue[] {
  return parseError(bytes, options).issues;
}

export function layerNamed(network: NetworkDefinition, name: string): Layer {
  const layer = network.layers.find((l) => l.name === name);
  if (!layer) throw new Error(`no layer '${name}' among ${network.layers.map((l) => l.name).join(', ')}`);
  return layer;
}

export function constantNamed(network: NetworkDefinition, name: string): Tensor {
  const tensor = network.constants.get(name);
  if (!tensor) throw new Error(`no constant '${name}' among ${[...network.constants.keys()].join(', ')}`);
  return tensor;
}

/** A constant's values as plain numbers. */
export function valuesOf(network: NetworkDefinition, name: string): number[] {
  return Array.from(constantNamed(network, name).data as ArrayLike<number | bigint>, Number);
}
