// Builds the ScaledSwish example plugin (y = x · sigmoid(beta · x)) into a .so, loads it, parses an
// ONNX model that uses it as the custom op kiln.examples::ScaledSwish, builds and runs a Kiln
// engine, and prints the result next to the same model written with standard ONNX ops.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Builder, NetworkDefinition, type Tensor } from '@kiln/core';
import { OnnxParser } from '@kiln/parser-onnx';
import { PluginRegistry, buildPlugin, pluginExamplesDir } from '@kiln/plugins';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function engineFor(model: string, plugins?: PluginRegistry) {
  const network = new NetworkDefinition();
  new OnnxParser(network, { plugins }).parse(await readFile(path.join(root, 'models', model)));
  return new Builder({ plugins }).build(network);
}

async function main(): Promise<void> {
  const library = await buildPlugin(path.join(pluginExamplesDir(), 'scaled_swish.cpp'), { output: path.join(root, '.cache', 'libscaled_swish.so') });
  const registry = new PluginRegistry();
  for (const creator of registry.load(library)) {
    console.log(`loaded plugin ${creator.namespace}::${creator.name} v${creator.version} from ${path.relative(root, library)}`);
  }

  const custom = await engineFor('conv-scaled-swish.onnx', registry);
  const reference = await engineFor('conv-scaled-swish-reference.onnx');
  console.log(`engine layers: ${custom.layers.map((l) => l.type).join(' → ')} (the standard-op model: ${reference.layers.map((l) => l.type).join(' → ')})`);

  const x: Tensor<'float32'> = { dtype: 'float32', shape: [1, 3, 8, 8], data: Float32Array.from({ length: 192 }, (_, i) => Math.cos(i * 0.37) * 2) };
  const got = (await custom.createContext().execute({ x })).y.data as Float32Array;
  const expected = (await reference.createContext().execute({ x })).y.data as Float32Array;

  console.log('\n   i   plugin      expected');
  for (const i of [0, 1, 2, 37, 100, 255]) console.log(`${String(i).padStart(4)}  ${got[i].toFixed(6).padStart(10)}  ${expected[i].toFixed(6).padStart(10)}`);
  const worst = Math.max(...Array.from(got, (v, i) => Math.abs(v - expected[i])));
  console.log(`\nmax |difference| over ${got.length} values: ${worst.toExponential(2)} ${worst < 1e-5 ? '(match)' : '(MISMATCH)'}`);
  if (worst >= 1e-5) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(`error: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  process.exitCode = 1;
});
