import type { NodeProto } from '../proto/onnx-proto.js';
import { importPluginOp, type PluginLookup } from '../importers/plugin-op.js';
import { findImporter } from '../importers/registry.js';
import type { TensorSource } from '../tensor/decode-tensor.js';
import { decodeTensor } from '../tensor/decode-tensor.js';
import { AttributeReader } from './attributes.js';
import type { ImportContext } from './import-context.js';
import { NodeContext } from './node-context.js';

/** 'ai.onnx' is another spelling of the standard domain ''. */
export function normalizeDomain(domain: string): string {
  return domain === 'ai.onnx' ? '' : domain;
}

export interface NodeImportSettings {
  opsets: Map<string, number>;
  plugins?: PluginLookup;
  tensorSource: TensorSource;
}

/** Imports one node through its op's importer (or a plugin), recording what fails as issues. */
export function importNode(ctx: ImportContext, proto: NodeProto, name: string, settings: NodeImportSettings): void {
  const domain = normalizeDomain(proto.domain);
  const opset = settings.opsets.get(domain) ?? 0;
  const info = { name, opType: proto.op_type, domain, opset, inputs: [...proto.input], outputs: [...proto.output] };
  const attrs = new AttributeReader(proto.attribute, (tensor, label) =>
    decodeTensor(tensor, `node '${name}' ${label}`, settings.tensorSource),
  );
  const node = new NodeContext(ctx, info, attrs);
  if (!settings.opsets.has(domain)) {
    node.fail(`the model imports no opset for domain '${domain || 'ai.onnx'}'`);
    return;
  }
  const lookup = findImporter(proto.op_type, domain, opset);
  const isPlugin = !('importer' in lookup) && settings.plugins?.hasCreator(proto.op_type, domain) === true;
  if (!('importer' in lookup) && !isPlugin) {
    node.fail(lookup.problem);
    return;
  }
  try {
    if ('importer' in lookup) lookup.importer.import(node);
    else importPluginOp(node);
  } catch (error) {
    // ImportFailure says what the importer refused; other errors (e.g. a name defined twice) are reported the same way.
    if (!(error instanceof Error)) throw error;
    node.fail(error.message);
    return;
  }
  for (const attribute of attrs.unread()) {
    ctx.logger.warning(`node '${name}' (${proto.op_type}): attribute '${attribute}' is not part of opset ${opset}; ignored`);
  }
}
