import type { Logger } from '../logger.js';
import type { NetworkDefinition } from '../network/network.js';
import { foldConstants } from './constant-folding.js';
import { foldConvBatchNorm } from './conv-batchnorm-folding.js';
import { fuseConvActivations } from './conv-activation-fusion.js';
import { eliminateDeadLayers } from './dead-layer-elimination.js';
import { elideIdentities } from './identity-elision.js';
import { fuseYoloDecode } from './yolo-decode-fusion.js';
import type { PassContext } from './pass-context.js';

export interface OptimizationReport {
  layersBefore: number;
  layersAfter: number;
  passes: { name: string; changes: number }[];
}

const PASSES: [string, (network: NetworkDefinition, context: PassContext) => number][] = [
  ['constant folding', foldConstants],
  ['dead-layer elimination', eliminateDeadLayers],
  ['identity elision', elideIdentities],
  ['conv+batchnorm folding', foldConvBatchNorm],
  ['conv+activation fusion', fuseConvActivations],
  ['YOLO decode fusion', fuseYoloDecode],
  ['dead-layer elimination', eliminateDeadLayers],
];

/** Runs the graph passes in order over a copy of the network and returns the copy. */
export function optimizeNetwork(network: NetworkDefinition, logger?: Logger, context: PassContext = {}): { network: NetworkDefinition; report: OptimizationReport } {
  const optimized = network.clone();
  const report: OptimizationReport = { layersBefore: network.layers.length, layersAfter: 0, passes: [] };
  for (const [name, pass] of PASSES) {
    const changes = pass(optimized, context);
    report.passes.push({ name, changes });
    logger?.verbose(`${name}: ${changes} change(s), ${optimized.layers.length} layers`);
  }
  report.layersAfter = optimized.layers.length;
  return { network: optimized, report };
}
