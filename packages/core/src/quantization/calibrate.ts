import { BuildError, InputError } from '../errors.js';
import type { NetworkDefinition } from '../network/network.js';
import type { ValueInfo } from '../optimizer/analysis/shape-rules.js';
import type { Engine } from '../runtime/engine.js';
import type { Int8Calibrator, TensorStatistics } from './calibrator.js';

/** Layers whose float inputs and outputs INT8 needs scales for. */
const CALIBRATED_LAYERS = new Set(['Conv', 'MaxPool', 'Resize', 'Concat', 'Add']);

/** The float32 activations (inputs and outputs of the layers INT8 may take) that calibration observes. */
export function calibratedTensors(network: NetworkDefinition, infos: Map<string, ValueInfo>): string[] {
  const names = new Set<string>();
  for (const layer of network.layers) {
    if (!CALIBRATED_LAYERS.has(layer.type)) continue;
    const data = layer.type === 'Conv' || layer.type === 'Resize' ? layer.inputs.slice(0, 1) : layer.inputs;
    for (const name of [...data, ...layer.outputs]) {
      if (name && !network.constants.has(name) && infos.get(name)?.dtype === 'float32') names.add(name);
    }
  }
  return [...names];
}

/**
 * Runs the calibrator's batches through an FP32 engine of the network while the native core
 * builds histograms of the observed tensors, and returns them.
 */
export async function collectStatistics(
  engine: Engine,
  tensors: string[],
  calibrator: Int8Calibrator,
  progress: (done: number, total: number) => void,
): Promise<Map<string, TensorStatistics>> {
  const context = engine.createContext();
  await context.observe(tensors, calibrator.histogramBins ?? 2048);
  const total = calibrator.batchCount ?? 0;
  let done = 0;
  progress(0, total);
  for await (const batch of calibrator.batches()) {
    try {
      await context.execute(batch);
    } catch (error) {
      if (error instanceof InputError) throw new BuildError(`calibration batch ${done}: ${error.message}`, undefined, 'KILN_CALIBRATION');
      throw error;
    }
    progress(++done, total);
  }
  if (done === 0) throw new BuildError('the calibrator gave no batches: INT8 calibration needs data', undefined, 'KILN_CALIBRATION');
  return context.statistics();
}
