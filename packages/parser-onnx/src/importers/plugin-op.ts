import type { AttributeValue } from '@kiln/core';
import type { NodeContext } from '../graph/node-context.js';
import { ImportFailure } from '../import-failure.js';

/** What the parser needs of a plugin registry: whether a creator exists for an op. */
export interface PluginLookup {
  hasCreator(opType: string, domain: string): boolean;
}

/** A node claimed by a plugin becomes a layer as it is: its op type, domain and converted attributes. */
export function importPluginOp(node: NodeContext): void {
  const attributes: Record<string, AttributeValue> = {};
  for (const name of node.attrs.names()) {
    try {
      const value = node.attrs.value(name);
      if (value !== undefined) attributes[name] = value;
    } catch (error) {
      if (!(error instanceof ImportFailure)) throw error;
      node.fail(error.message);
    }
  }
  node.emit({
    type: node.opType,
    domain: node.node.domain,
    inputs: node.node.inputs,
    outputs: node.node.outputs,
    attributes,
  });
}
