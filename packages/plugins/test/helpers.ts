import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildPlugin, pluginExamplesDir } from '../src/index.js';

export const FIXTURES = path.join(__dirname, 'fixtures');
export const SHARED = path.resolve(__dirname, '../../../../shared');
export const CUSTOM_MODELS = path.resolve(__dirname, '../../../examples/custom-plugin/models');

export interface BuiltLibraries {
  scaledSwish: string;
  yoloDecode: string;
  misbehaving: string;
  noEntry: string;
  wrongAbi: string;
}

/** Compiles the example plugins and the test fixtures into real .so files, in parallel. */
export async function buildLibraries(): Promise<BuiltLibraries> {
  const dir = await mkdtemp(path.join(tmpdir(), 'kiln-plugins-test-'));
  const build = (source: string, name: string) => buildPlugin(source, { output: path.join(dir, `lib${name}.so`) });
  const [scaledSwish, yoloDecode, misbehaving, noEntry, wrongAbi] = await Promise.all([
    build(path.join(pluginExamplesDir(), 'scaled_swish.cpp'), 'scaled_swish'),
    build(path.join(pluginExamplesDir(), 'yolo_decode.cpp'), 'yolo_decode'),
    build(path.join(FIXTURES, 'misbehaving.cpp'), 'misbehaving'),
    build(path.join(FIXTURES, 'no_entry.cpp'), 'no_entry'),
    build(path.join(FIXTURES, 'wrong_abi.cpp'), 'wrong_abi'),
  ]);
  return { scaledSwish, yoloDecode, misbehaving, noEntry, wrongAbi };
}
