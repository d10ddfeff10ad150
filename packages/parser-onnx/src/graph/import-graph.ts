import { NetworkDefinition, type Logger } from '@kiln/core';
import { OnnxParseError, type OnnxParseIssue } from '../onnx-parse-error.js';
import type { PluginLookup } from '../importers/plugin-op.js';
import { int64ToNumber } from '../proto/int64.js';
import type { GraphProto, ModelProto } from '../proto/onnx-proto.js';
import { decodeTensor, type TensorSource } from '../tensor/decode-tensor.js';
import { kilnDType, onnxDataTypeName } from '../tensor/onnx-dtypes.js';
import { collectGraphNames } from './graph-names.js';
import { ImportContext } from './import-context.js';
import { importNode, normalizeDomain } from './import-node.js';
import { topologicalOrder, type NodeOrder } from './topological-order.js';
import { UnknownDimNamer, tensorTypeOf } from './value-info.js';

export interface ModelImportOptions {
  logger: Logger;
  plugins?: PluginLookup;
  modelPath?: string;
}

/** Imports a decoded model into a new network; throws OnnxParseError listing every issue. */
export function importModel(model: ModelProto, options: ModelImportOptions): NetworkDefinition {
  const graph = model.graph;
  if (!graph) throw new OnnxParseError('the bytes decode to a ModelProto without a graph: not an ONNX model');
  const opsets = new Map<string, number>();
  for (const entry of model.opset_import) opsets.set(normalizeDomain(entry.domain), int64ToNumber(entry.version));
  const standardOpset = opsets.get('') ?? 0;
  const graphIssue = (node: string, opType: string, message: string): OnnxParseIssue =>
    ({ node, opType, domain: '', opset: standardOpset, message });

  const names = collectGraphNames(graph);
  const network = new NetworkDefinition();
  const ctx = new ImportContext({
    network,
    logger: options.logger,
    tensorNames: names.tensors,
    layerNames: names.layers,
    consumed: names.consumed,
  });
  const tensorSource: TensorSource = { modelPath: options.modelPath, logger: options.logger };
  const dims = new UnknownDimNamer((name) => names.dimParams.has(name));

  for (const { key, value } of model.metadata_props) network.metadata[key] = value;
  importInitializers(ctx, graph, tensorSource, graphIssue);
  importInputs(ctx, graph, dims, graphIssue);
  declareValueInfo(ctx, graph, dims);

  // Graph inputs and initializers count as defined even where they failed to import: they have their own issue.
  const graphDefined = new Set([...graph.input, ...graph.initializer].map(({ name }) => name));
  const order = topologicalOrder(graph.node, (name) => graphDefined.has(name));
  const nodeNames = graph.node.map((node, index) => node.name || ctx.uniqueLayerName(`${node.op_type}_${index}`));
  reportOrderProblems(ctx, graph, nodeNames, order, opsets);
  for (const index of order.order) importNode(ctx, graph.node[index], nodeNames[index], { opsets, plugins: options.plugins, tensorSource });

  const produced = new Set(graph.node.flatMap((node) => node.output));
  for (const { name } of graph.output) {
    if (!produced.has(name) && !graphDefined.has(name)) ctx.addIssue(graphIssue(name, 'graph output', 'is not produced by any node, graph input or initializer'));
  }
  if (ctx.issues.length > 0) throw OnnxParseError.fromIssues(ctx.issues);
  for (const { name } of graph.output) network.markOutput(name);
  return network;
}

function reportOrderProblems(ctx: ImportContext, graph: GraphProto, nodeNames: string[], order: NodeOrder, opsets: Map<string, number>): void {
  const issue = (index: number, message: string) => {
    const node = graph.node[index];
    const domain = normalizeDomain(node.domain);
    ctx.addIssue({ node: nodeNames[index], opType: node.op_type, domain, opset: opsets.get(domain) ?? 0, message });
  };
  for (const { node, input } of order.undefinedInputs) issue(node, `input '${input}' is not produced by any node, graph input or initializer`);
  for (const { node, output } of order.duplicateOutputs) issue(node, `output '${output}' is already defined elsewhere in the graph`);
  for (const node of order.cyclic) issue(node, 'is part of a cycle');
}

type GraphIssue = (node: string, opType: string, message: string) => OnnxParseIssue;

/** Initializers (also those the graph lists as inputs, as IR < 4 requires) become constants. */
function importInitializers(ctx: ImportContext, graph: GraphProto, source: TensorSource, issue: GraphIssue): void {
  for (const initializer of graph.initializer) {
    const name = initializer.name;
    if (name === '') {
      ctx.addIssue(issue('', 'initializer', 'an initializer has no name'));
    } else if (ctx.network.constants.has(name)) {
      ctx.addIssue(issue(name, 'initializer', 'is defined twice'));
    } else {
      try {
        ctx.network.addConstant(name, decodeTensor(initializer, `initializer '${name}'`, source));
      } catch (error) {
        if (!(error instanceof Error)) throw error;
        ctx.addIssue(issue(name, 'initializer', error.message));
      }
    }
  }
}

function importInputs(ctx: ImportContext, graph: GraphProto, dims: UnknownDimNamer, issue: GraphIssue): void {
  for (const input of graph.input) {
    if (ctx.network.constants.has(input.name)) continue;
    const type = tensorTypeOf(input, dims);
    const dtype = type && kilnDType(type.elemType);
    if (!type) ctx.addIssue(issue(input.name, 'graph input', 'is not a tensor'));
    else if (!dtype) ctx.addIssue(issue(input.name, 'graph input', `has element type ${onnxDataTypeName(type.elemType)}, which Kiln has no dtype for`));
    else if (!type.shape) ctx.addIssue(issue(input.name, 'graph input', 'has no shape (unknown rank)'));
    else if (ctx.network.isInput(input.name)) ctx.addIssue(issue(input.name, 'graph input', 'is listed twice'));
    else ctx.network.addInput(input.name, dtype, type.shape);
  }
}

/** value_info and graph outputs: their element types become declaredTypes; shapes help importers fill defaults. */
function declareValueInfo(ctx: ImportContext, graph: GraphProto, dims: UnknownDimNamer): void {
  for (const info of [...graph.value_info, ...graph.output]) {
    if (ctx.network.isInput(info.name) || ctx.network.constants.has(info.name)) continue;
    const type = tensorTypeOf(info, dims);
    const dtype = type && kilnDType(type.elemType);
    if (dtype) ctx.network.declaredTypes.set(info.name, dtype);
    if (type?.shape) ctx.declareShape(info.name, type.shape);
  }
}
