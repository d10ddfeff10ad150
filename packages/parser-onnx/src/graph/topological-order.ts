import type { NodeProto } from '../proto/onnx-proto.js';

export interface NodeOrder {
  /** Node indices, each after the producers of its inputs; ties keep the model's order. */
  order: number[];
  /** Inputs that no node, graph input or initializer defines. */
  undefinedInputs: { node: number; input: string }[];
  /** Outputs that an earlier node already produced. */
  duplicateOutputs: { node: number; output: string }[];
  /** Nodes that wait on themselves through a cycle. */
  cyclic: number[];
}

/** Orders nodes so that each comes after its inputs' producers (ONNX requires it; not all exporters comply). */
export function topologicalOrder(nodes: NodeProto[], isAvailable: (name: string) => boolean): NodeOrder {
  const producer = new Map<string, number>();
  const duplicateOutputs: NodeOrder['duplicateOutputs'] = [];
  nodes.forEach((node, index) => {
    for (const output of node.output) {
      if (output === '') continue;
      if (producer.has(output) || isAvailable(output)) duplicateOutputs.push({ node: index, output });
      else producer.set(output, index);
    }
  });

  const undefinedInputs: NodeOrder['undefinedInputs'] = [];
  const waitingOn = nodes.map(() => 0);
  const consumers: number[][] = nodes.map(() => []);
  nodes.forEach((node, index) => {
    const producers = new Set<number>();
    for (const input of node.input) {
      if (input === '' || isAvailable(input)) continue;
      const from = producer.get(input);
      if (from === undefined) undefinedInputs.push({ node: index, input });
      else producers.add(from);
    }
    waitingOn[index] = producers.size;
    for (const from of producers) consumers[from].push(index);
  });

  // Ready nodes, largest index first, so that pop() yields the earliest.
  const ready: number[] = [];
  const push = (index: number) => {
    let lo = 0;
    let hi = ready.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ready[mid] > index) lo = mid + 1;
      else hi = mid;
    }
    ready.splice(lo, 0, index);
  };
  waitingOn.forEach((count, index) => count === 0 && push(index));
  const order: number[] = [];
  while (ready.length > 0) {
    const index = ready.pop()!;
    order.push(index);
    for (const consumer of consumers[index]) if (--waitingOn[consumer] === 0) push(consumer);
  }
  const cyclic = waitingOn.flatMap((count, index) => (count > 0 ? [index] : []));
  return { order, undefinedInputs, duplicateOutputs, cyclic };
}
