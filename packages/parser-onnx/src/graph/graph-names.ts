import type { GraphProto, ValueInfoProto } from '../proto/onnx-proto.js';

export interface GraphNames {
  tensors: Set<string>;
  layers: Set<string>;
  /** Tensors that a node reads or the graph outputs. */
  consumed: Set<string>;
  /** Symbolic dimension names the model uses. */
  dimParams: Set<string>;
}

/** Every name a graph mentions, so that names the importer creates can avoid them. */
export function collectGraphNames(graph: GraphProto): GraphNames {
  const tensors = new Set<string>();
  const consumed = new Set<string>();
  const dimParams = new Set<string>();
  const addInfo = (info: ValueInfoProto) => {
    tensors.add(info.name);
    for (const dim of info.type?.tensor_type?.shape?.dim ?? []) if (dim.value === 'dim_param') dimParams.add(dim.dim_param);
  };
  graph.input.forEach(addInfo);
  graph.output.forEach(addInfo);
  graph.value_info.forEach(addInfo);
  for (const output of graph.output) consumed.add(output.name);
  for (const initializer of graph.initializer) tensors.add(initializer.name);
  for (const node of graph.node) {
    for (const name of node.input) {
      tensors.add(name);
      consumed.add(name);
    }
    for (const name of node.output) tensors.add(name);
  }
  tensors.delete('');
  consumed.delete('');
  const layers = new Set(graph.node.map((node) => node.name).filter((name) => name !== ''));
  return { tensors, layers, consumed, dimParams };
}
