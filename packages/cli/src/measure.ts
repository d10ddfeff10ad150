import { performance } from 'node:perf_hooks';

export interface LoopPlan {
  /** Timed calls to make at least (in all, across streams). */
  iterations: number;
  /** Untimed calls first, per stream. */
  warmup: number;
  /** Keep going until this much time has passed too. */
  durationMs: number;
}

type Call = () => Promise<unknown>;

async function timed(call: Call): Promise<number> {
  const start = performance.now();
  await call();
  return performance.now() - start;
}

/**
 * One loop per stream, all running at once, until the streams together have made
 * `iterations` calls and `durationMs` has passed. Latencies of every call, and the wall time.
 */
export async function timeStreams(streams: readonly Call[], plan: LoopPlan): Promise<{ latencies: number[]; wallMs: number }> {
  await Promise.all(streams.map(async (call) => {
    for (let i = 0; i < plan.warmup; i++) await call();
  }));
  const latencies: number[] = [];
  const start = performance.now();
  const more = () => latencies.length < plan.iterations || performance.now() - start < plan.durationMs;
  await Promise.all(streams.map(async (call) => {
    while (more()) latencies.push(await timed(call));
  }));
  return { latencies, wallMs: performance.now() - start };
}

/**
 * Two runtimes one call at a time, alternating which goes first, so drifts in clock speed and
 * machine load hit both alike.
 */
export async function timeInterleaved(a: Call, b: Call, plan: LoopPlan): Promise<{ a: number[]; b: number[] }> {
  for (let i = 0; i < plan.warmup; i++) {
    await a();
    await b();
  }
  const result = { a: [] as number[], b: [] as number[] };
  const start = performance.now();
  for (let i = 0; i < plan.iterations || performance.now() - start < plan.durationMs; i++) {
    if (i % 2) {
      result.a.push(await timed(a));
      result.b.push(await timed(b));
    } else {
      result.b.push(await timed(b));
      result.a.push(await timed(a));
    }
  }
  return result;
}
