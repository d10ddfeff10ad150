import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { BuildError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { TimingEntries } from '../native.js';
import type { Engine } from '../runtime/engine.js';
import { KILN_VERSION } from '../version.js';

const FORMAT = 'kiln-timing-cache';

const fileSchema = z.strictObject({
  format: z.literal(FORMAT),
  version: z.literal(1),
  kiln: z.string(),
  cpu: z.string(),
  entries: z.record(z.string(), z.record(z.string(), z.number().nonnegative())),
});

/** The CPU a cache's timings were measured on: they only hold there. */
function cpuName(): string {
  return os.cpus()[0]?.model.trim() ?? 'unknown';
}

/**
 * A timing cache file's entries (TensorRT's timing cache): per layer timing key, each tactic's
 * milliseconds. None when the file does not exist, or was written by another Kiln version or on
 * another CPU model (the timings would not hold: the layers are timed again, with a warning).
 * A file that is not a timing cache throws a BuildError naming it.
 */
export async function readTimingCache(file: string, logger: Logger): Promise<TimingEntries> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new BuildError(`cannot read the timing cache '${file}': ${(error as Error).message}`, undefined, 'KILN_TIMING_CACHE');
  }
  let parsed: z.infer<typeof fileSchema>;
  try {
    parsed = fileSchema.parse(JSON.parse(text));
  } catch (error) {
    const why = error instanceof z.ZodError ? error.issues.map((i) => `${i.path.join('.') || 'file'}: ${i.message}`).slice(0, 3).join('; ') : (error as Error).message;
    throw new BuildError(`'${file}' is not a Kiln timing cache (${why})`, undefined, 'KILN_TIMING_CACHE');
  }
  if (parsed.kiln !== KILN_VERSION || parsed.cpu !== cpuName()) {
    logger.warning(`timing cache '${file}' was written by Kiln ${parsed.kiln} on '${parsed.cpu}', not Kiln ${KILN_VERSION} on '${cpuName()}': timing every tactic again`);
    return {};
  }
  return parsed.entries;
}

/** The entries plus every timing `engine` measured, written atomically to `file`. */
export async function writeTimingCache(file: string, entries: TimingEntries, engine: Engine): Promise<TimingEntries> {
  const merged: TimingEntries = { ...entries };
  for (const layer of engine.layers) {
    if (!layer.timingKey || layer.timings.length === 0) continue;
    merged[layer.timingKey] = Object.fromEntries(layer.timings.map((t) => [t.tactic, t.ms]));
  }
  const body = { format: FORMAT, version: 1, kiln: KILN_VERSION, cpu: cpuName(), entries: merged };
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const temporary = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, `${JSON.stringify(body, null, 1)}\n`);
  await rename(temporary, file);
  return merged;
}
