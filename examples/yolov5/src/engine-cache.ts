import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Builder, KILN_VERSION, Logger, NetworkDefinition, Runtime, type BuildOptions, type Engine } from '@kiln/core';
import { OnnxParser } from '@kiln/parser-onnx';

export interface CachedEngine {
  engine: Engine;
  /** Where the plan lives, and whether this call built it. */
  planPath: string;
  built: boolean;
  buildMs: number;
}

/**
 * Loads the engine for a model from the cache folder, or builds and saves it. The cache key covers
 * the model bytes, the Kiln version and the build options, so a changed model or option rebuilds;
 * a plan this machine cannot run (another CPU) is rebuilt too.
 */
export async function loadOrBuildEngine(modelPath: string, cacheDir: string, options: BuildOptions, logger: Logger): Promise<CachedEngine> {
  const model = await readFile(modelPath);
  const key = createHash('sha256')
    .update(model)
    .update(KILN_VERSION)
    .update(JSON.stringify({ precision: options.precision, threads: options.threads, isa: options.isa }))
    .digest('hex')
    .slice(0, 16);
  const planPath = path.join(cacheDir, `${path.basename(modelPath, '.onnx')}-${key}.kiln`);
  const cached = await readFile(planPath).catch(() => undefined);
  if (cached && Runtime.checkEngine(cached).problems.length === 0) {
    try {
      return { engine: new Runtime({ logger }).deserialize(cached), planPath, built: false, buildMs: 0 };
    } catch (error) {
      logger.warning(`cached engine ${planPath} could not be loaded (${(error as Error).message}); rebuilding`);
    }
  }
  const start = Date.now();
  const network = new NetworkDefinition();
  new OnnxParser(network, { logger }).parse(model, { modelPath });
  const engine = await new Builder({ logger }).build(network, options);
  const buildMs = Date.now() - start;
  await mkdir(cacheDir, { recursive: true });
  const temporary = `${planPath}.${process.pid}.tmp`;
  await writeFile(temporary, engine.serialize());
  await rename(temporary, planPath);
  return { engine, planPath, built: true, buildMs };
}
