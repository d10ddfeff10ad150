import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuildError, Builder, Logger, type Severity } from '../src/index.js';
import { convSiluNetwork } from './helpers/networks.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kiln-timing-cache-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function recordingLogger(): { logger: Logger; messages: [Severity, string][] } {
  const messages: [Severity, string][] = [];
  return { logger: new Logger({ severity: 'info', sink: (severity, message) => messages.push([severity, message]) }), messages };
}

// One 3x3 convolution: several tactics (implicit GEMM, direct rows, Winograd) to time.
const network = () => convSiluNetwork(8, 16, 1, 24);

describe('timing cache', () => {
  it('is written by one build and reused by the next, which times nothing again', async () => {
    const file = path.join(dir, 'a', 'timing.json');
    const first = await new Builder().build(network(), { timingCache: file, threads: 2 });
    const timed = first.layers.filter((l) => l.timingKey);
    expect(timed.length).toBeGreaterThan(0);
    expect(timed.every((l) => !l.timingsFromCache && l.timings.length > 1)).toBe(true);
    const cache = JSON.parse(await readFile(file, 'utf8'));
    expect(cache).toMatchObject({ format: 'kiln-timing-cache', version: 1 });
    expect(Object.keys(cache.entries)).toEqual(timed.map((l) => l.timingKey));

    const { logger, messages } = recordingLogger();
    const second = await new Builder({ logger }).build(network(), { timingCache: file, threads: 2 });
    const again = second.layers.filter((l) => l.timingKey);
    expect(again.every((l) => l.timingsFromCache)).toBe(true);
    expect(again.map((l) => l.timings)).toEqual(timed.map((l) => l.timings));
    expect(again.map((l) => l.tactic)).toEqual(timed.map((l) => l.tactic));
    expect(messages.some(([, m]) => m.includes(`${again.length} of ${again.length} timed layers reused`))).toBe(true);
  });

  it('keys on threads too: another thread count is timed afresh and added', async () => {
    const file = path.join(dir, 'threads.json');
    await new Builder().build(network(), { timingCache: file, threads: 2 });
    const one = await new Builder().build(network(), { timingCache: file, threads: 1 });
    expect(one.layers.filter((l) => l.timingKey).every((l) => !l.timingsFromCache)).toBe(true);
    const cache = JSON.parse(await readFile(file, 'utf8'));
    expect(Object.keys(cache.entries).length).toBe(2 * one.layers.filter((l) => l.timingKey).length);
  });

  it('times again, with a warning, when the cache comes from another CPU', async () => {
    const file = path.join(dir, 'other-cpu.json');
    await new Builder().build(network(), { timingCache: file });
    const cache = JSON.parse(await readFile(file, 'utf8'));
    await writeFile(file, JSON.stringify({ ...cache, cpu: 'Some Other CPU' }));
    const { logger, messages } = recordingLogger();
    const engine = await new Builder({ logger }).build(network(), { timingCache: file });
    expect(engine.layers.filter((l) => l.timingKey).every((l) => !l.timingsFromCache)).toBe(true);
    expect(messages.some(([severity, m]) => severity === 'warning' && m.includes("on 'Some Other CPU'"))).toBe(true);
  });

  it('refuses a file that is not a timing cache, naming it', async () => {
    const file = path.join(dir, 'corrupt.json');
    for (const body of ['{ not json', JSON.stringify({ format: 'kiln-timing-cache', version: 1, kiln: '0', cpu: 'x', entries: { k: { t: 'fast' } } })]) {
      await writeFile(file, body);
      const error = await new Builder().build(network(), { timingCache: file }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BuildError);
      expect((error as BuildError).code).toBe('KILN_TIMING_CACHE');
      expect((error as Error).message).toContain(file);
    }
  });

  it('is left alone when tactics are not timed', async () => {
    const file = path.join(dir, 'untouched.json');
    await new Builder().build(network(), { timingCache: file, timeTactics: false });
    await expect(readFile(file)).rejects.toThrow(/ENOENT/);
  });
});
