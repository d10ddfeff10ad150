import type { Engine } from '../runtime/engine.js';
import { createTensor, type Tensor } from '../tensor.js';
import type { InputProfile } from './lowering/index.js';

/** Each input at its profile's typical shape (a dynamic dimension without one: 1); floats in [0, 1), other types zero. */
function timingInputs(engine: Engine, profiles: Record<string, InputProfile>): Record<string, Tensor> {
  const inputs: Record<string, Tensor> = {};
  for (const input of engine.inputs) {
    const shape = input.shape.map((d, i) => (typeof d === 'number' ? d : (profiles[input.name]?.opt[i] ?? 1)));
    const tensor = createTensor(input.dtype, shape);
    if (tensor.data instanceof Float32Array) for (let i = 0; i < tensor.data.length; i++) tensor.data[i] = ((i * 2654435761) % 1000) / 1000;
    inputs[input.name] = tensor;
  }
  return inputs;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/**
 * Median milliseconds per inference of each engine (built from one network) on the same inputs:
 * one warm-up run each, then their runs interleaved, `runs` each or fewer (at least one) when that
 * would take longer than `budgetMs`.
 */
export async function timeEngines(engines: Engine[], profiles: Record<string, InputProfile>, onProgress: (done: number, total: number) => void = () => {}, runs = 7, budgetMs = 2500): Promise<number[]> {
  const inputs = timingInputs(engines[0]!, profiles);
  const contexts = engines.map((engine) => engine.createContext());
  const times: number[][] = engines.map(() => []);
  const start = performance.now();
  for (const context of contexts) await context.execute(inputs);
  const perRound = (performance.now() - start) || 1;
  const rounds = Math.max(1, Math.min(runs, Math.floor(budgetMs / perRound)));
  for (let round = 0; round < rounds; round++) {
    for (const [i, context] of contexts.entries()) {
      const t0 = performance.now();
      await context.execute(inputs);
      times[i]!.push(performance.now() - t0);
    }
    onProgress(round + 1, rounds);
  }
  return times.map(median);
}
