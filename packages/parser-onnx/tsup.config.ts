import { defineConfig } from 'tsup';

export default defineConfig({
  // conformance: the ONNX backend conformance runner, a bin script outside the library's API.
  entry: { index: 'src/index.ts', conformance: 'src/conformance/cli.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  shims: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
