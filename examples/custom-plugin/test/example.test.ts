import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

it('the example builds the plugin, runs the model and matches the standard-op version', async () => {
  const { stdout } = await promisify(execFile)('node', [path.join(__dirname, '../dist/main.js')]);
  expect(stdout).toMatch(/loaded plugin kiln\.examples::ScaledSwish v1/);
  expect(stdout).toMatch(/engine layers: Conv → Plugin/);
  expect(stdout).toMatch(/max \|difference\| over 256 values: .* \(match\)/);
});
