import type { AttributeValue } from '@kiln/core';
import type { NodeContext } from '../graph/node-context.js';

/**
 * Writes an op that Kiln imports as a composition of layers it has: each `add` emits one layer
 * named `${node}__${step}` with a fresh output tensor; `finish` emits the last one under the
 * node's own name, writing the node's output.
 */
export class Decomposition {
  constructor(private readonly node: NodeContext) {}

  add(step: string, type: string, inputs: string[], attributes: Record<string, AttributeValue> = {}): string {
    const output = this.node.tensorName(step);
    this.node.emit({ name: this.node.layerName(step), type, inputs, outputs: [output], attributes });
    return output;
  }

  /** Like `add`, writing `output`; with `output` = the node's first output the layer takes the node's name. */
  finish(output: string, type: string, inputs: string[], attributes: Record<string, AttributeValue> = {}): string {
    const name = output === this.node.output(0) ? undefined : this.node.layerName(type.toLowerCase());
    this.node.emit({ name, type, inputs, outputs: [output], attributes });
    return output;
  }

  /** `output` = `input` (an Identity layer), for results the decomposition already has under another name. */
  alias(output: string, input: string): string {
    return this.finish(output, 'Identity', [input]);
  }
}
