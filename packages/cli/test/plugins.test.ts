import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildPlugin, pluginExamplesDir } from '@kiln/plugins';
import { beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE, kiln, oneErrorLine } from './helpers.js';

const MODEL = path.resolve(PACKAGE, '../../examples/custom-plugin/models/conv-scaled-swish.onnx');
let dir: string;
let library: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kiln-cli-plugins-'));
  library = await buildPlugin(path.join(pluginExamplesDir(), 'scaled_swish.cpp'), { output: path.join(dir, 'libscaled_swish.so') });
});

describe('--plugins', () => {
  it('builds, inspects and runs a model with a custom op when its library is loaded', async () => {
    const engine = path.join(dir, 'custom.kiln');
    const built = await kiln('--plugins', library, 'build', MODEL, '-o', engine);
    expect(built.code, built.stderr).toBe(0);
    expect(built.stdout).toMatch(/Plugin\s+0\s+1/);
    const inspected = await kiln('inspect', engine, '--json', '--plugins', library);
    expect(inspected.code, inspected.stderr).toBe(0);
    expect(JSON.parse(inspected.stdout).layers.map((l: { type: string }) => l.type)).toEqual(['Conv', 'Plugin']);
    const ran = await kiln('--plugins', library, 'run', engine, '--shapes', 'x:2x3x8x8', '--json');
    expect(ran.code, ran.stderr).toBe(0);
  });

  it('refuses an engine that needs a plugin nobody loaded, naming the plugin, in one line', async () => {
    const engine = path.join(dir, 'needs-plugin.kiln');
    expect((await kiln('--plugins', library, 'build', MODEL, '-o', engine)).code).toBe(0);
    const result = await kiln('inspect', engine);
    expect(result.code).toBe(1);
    expect(oneErrorLine(result)).toMatch(/needs plugin 'ScaledSwish' version '1'/);
  });

  it('refuses a library that does not exist, in one line', async () => {
    const result = await kiln('--plugins', path.join(dir, 'nope.so'), 'build', MODEL, '-o', path.join(dir, 'x.kiln'));
    expect(result.code).toBe(1);
    expect(oneErrorLine(result)).toMatch(/nope\.so': no such file/);
  });
});
