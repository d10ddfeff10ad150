import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { supportedIsas } from '@kiln/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeNpy, readNpy } from '../src/npy.js';
import { IMAGE, MODEL, kiln, oneErrorLine, type Result } from './helpers.js';

let dir: string;
let engine: string;
let built: Result;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kiln-cli-'));
  engine = path.join(dir, 'yolov5n.kiln');
  built = await kiln('build', MODEL, '-o', engine, '--threads', '2', '--layout', 'blocked', '--timing-cache', path.join(dir, 'timing.json'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('build → inspect → run → bench → compare on yolov5n', () => {
  it('build writes the engine and prints a summary', async () => {
    expect(built.stderr).toBe('');
    expect(built.code).toBe(0);
    expect((await stat(engine)).size).toBeGreaterThan(1_000_000);
    expect(built.stdout).toMatch(/^built .*yolov5n\.kiln in [\d.]+ s \(\w+, 2 threads, fp32\)/);
    // 78: the 7 residual Adds of the backbone's bottlenecks are fused into their convolutions, the
    // head's three 1x1 convolutions into their YOLO decodes, the network runs channel-blocked from
    // its stem into its heads, which read the blocked layout themselves (no conversion back), and
    // the stem and the stride-2 convolution after it are one layer.
    expect(built.stdout).toContain('layers: 254 parsed, 78 after optimization, channel-blocked layout');
    expect(built.stdout).toMatch(/^ {2}KilnConvBlocked +0 +55$/m);
    expect(built.stdout).toMatch(/^ {2}KilnStemBlocked +0 +1$/m);
    expect(built.stdout).not.toMatch(/KilnFromBlocked/);
    expect(built.stdout).toMatch(/^ {2}YoloHead +0 +3$/m);
    const tactics = /^tactics: (.*) \((\d+) layers chose between timed candidates\)$/m.exec(built.stdout);
    const counts = tactics![1]!.split(', ').map((t) => /^([a-z0-9-]+) (\d+)$/.exec(t)!);
    expect(counts.map(([, , n]) => Number(n)).reduce((a, b) => a + b, 0)).toBe(78);
    // The 3x3 stride-1 convolutions choose between Winograd and the direct kernel.
    expect(Number(tactics![2])).toBeGreaterThanOrEqual(10);
    expect(built.stdout).toMatch(/^engine: [\d.]+ MiB$/m);
  });

  it('build --layout auto times the channel-blocked engine against the all-NCHW one and keeps the faster', async () => {
    const result = await kiln('build', MODEL, '-o', path.join(dir, 'auto.kiln'), '--threads', '2', '--verbose');
    expect(result.code).toBe(0);
    const timed = /layout: channel-blocked ([\d.]+) ms, NCHW ([\d.]+) ms per inference: keeping (channel-blocked|NCHW)/.exec(result.stderr);
    expect(timed, result.stderr).not.toBeNull();
    const [blockedMs, nchwMs, kept] = [Number(timed![1]), Number(timed![2]), timed![3]];
    expect(kept).toBe(blockedMs <= nchwMs ? 'channel-blocked' : 'NCHW');
    expect(result.stdout).toContain(`${kept === 'NCHW' ? 79 : 78} after optimization, ${kept} layout`);
    const blocks = /^ {2}KilnConvBlocked +0 +(\d+)$/m.exec(result.stdout);
    expect(blocks ? Number(blocks[1]) : 0).toBe(kept === 'NCHW' ? 0 : 55);
  });

  it('build --timing-cache reuses the first build\'s timings', async () => {
    const cache = JSON.parse(await readFile(path.join(dir, 'timing.json'), 'utf8'));
    expect(Object.keys(cache.entries).length).toBeGreaterThan(5);
    const again = await kiln('build', MODEL, '-o', path.join(dir, 'again.kiln'), '--threads', '2', '--layout', 'blocked', '--timing-cache', path.join(dir, 'timing.json'));
    expect(again.code).toBe(0);
    const timed = /\((\d+) layers chose between timed candidates, (\d+) with timings from the timing cache\)/.exec(again.stdout);
    expect(timed, again.stdout).not.toBeNull();
    expect(timed![2]).toBe(timed![1]);
    // Nothing was timed again: the cache holds the same entries. (Layers that share a timing key
    // now share its one timing, so their tactics may differ from the first build's.)
    const after = JSON.parse(await readFile(path.join(dir, 'timing.json'), 'utf8'));
    expect(after.entries).toEqual(cache.entries);
  });

  it('inspect --json describes the plan, tensors, layers and tactics', async () => {
    const result = await kiln('inspect', engine, '--json');
    expect(result.code).toBe(0);
    const info = JSON.parse(result.stdout);
    expect(info.kind).toBe('plan');
    expect(info.plan).toMatchObject({ formatVersion: expect.any(Number), kilnVersion: expect.any(String), threads: 2, isa: info.isa });
    expect(info.plan.bytes).toBe((await stat(engine)).size);
    expect(info.cpuIsas).toContain(info.isa);
    expect(info.threads).toBe(2);
    expect(info.inputs).toEqual([{ name: 'images', dtype: 'float32', shape: [1, 3, 640, 640] }]);
    expect(info.outputs).toEqual([{ name: 'output', dtype: 'float32', shape: [1, 25200, 85] }]);
    expect(info.build).toEqual({ layersBefore: 254, layersAfter: 78, precision: 'fp32', layout: 'blocked' });
    expect(Object.keys(info.metadata).sort()).toEqual(['names', 'stride']);
    expect(info.layers).toHaveLength(78);
    expect(info.layerTypes.KilnConvBlocked).toBe(55);
    expect(info.layerTypes.KilnStemBlocked).toBe(1);
    expect(info.layerTypes.YoloHead).toBe(3);
    for (const layer of info.layers) expect(layer).toMatchObject({ name: expect.any(String), type: expect.any(String), tactic: expect.any(String), timings: expect.any(Array) });
    expect(info.network).toBeUndefined();
  });

  it('inspect of the ONNX model adds the parsed op counts', async () => {
    const result = await kiln('inspect', MODEL, '--json', '--threads', '1', '--isa', 'scalar');
    expect(result.code).toBe(0);
    const info = JSON.parse(result.stdout);
    expect(info.kind).toBe('onnx');
    expect(info.isa).toBe('scalar');
    expect(info.network.layers).toBe(254);
    expect(info.network.ops).toMatchObject({ Conv: 60, Sigmoid: 60 });
    const timed = info.layers.filter((l: { timings: unknown[] }) => l.timings.length > 1);
    expect(timed.length).toBeGreaterThan(0);
    for (const layer of timed) expect(layer.timings.map((t: { tactic: string }) => t.tactic)).toContain(layer.tactic);
  });

  it('inspect prints a readable table', async () => {
    const result = await kiln('inspect', engine);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/plan +format \d+, Kiln [\d.]+, built for \w+ with 2 threads/);
    expect(result.stdout).toMatch(/inputs +images float32 \[1, 3, 640, 640\]/);
    expect(result.stdout).toMatch(/meta names +\['person', 'bicycle'/);
    expect(result.stdout).toMatch(/^ +0 +\/model\.0\/conv\/Conv +KilnStemBlocked +nchw16c-stem-(rows|layers)/m);
  });

  it('run --json summarizes the output and writes it as .npy', async () => {
    const outDir = path.join(dir, 'out');
    const result = await kiln('run', engine, '--input', `images=${IMAGE}`, '--output-dir', outDir, '--json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.inputs).toEqual([{ name: 'images', shape: [1, 3, 640, 640], source: IMAGE }]);
    expect(report.outputs).toHaveLength(1);
    const output = report.outputs[0];
    expect(output).toMatchObject({ name: 'output', dtype: 'float32', shape: [1, 25200, 85], nan: 0, file: path.join(outDir, 'output.npy') });
    expect(output.min).toBeGreaterThanOrEqual(0);
    expect(output.max).toBeGreaterThan(100);

    const saved = await readNpy(output.file);
    expect(saved.dtype).toBe('float32');
    expect(saved.shape).toEqual([1, 25200, 85]);
    let max = -Infinity;
    for (const v of saved.data as Float32Array) max = Math.max(max, v);
    expect(max).toBe(output.max);
  });

  it('run takes an input from a .npy file (float64, as NumPy writes by default)', async () => {
    const file = path.join(dir, 'grey.npy');
    await writeFile(file, encodeNpy({ dtype: 'float64', shape: [1, 3, 640, 640], data: new Float64Array(3 * 640 * 640).fill(0.5) }));
    const result = await kiln('run', engine, '--input', file, '--json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.inputs).toEqual([{ name: 'images', shape: [1, 3, 640, 640], source: file }]);
    expect(report.outputs[0].file).toBeUndefined();
  });

  it('run builds an ONNX model in memory and feeds random data by default', async () => {
    const result = await kiln('run', MODEL, '--threads', '2');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/images +\[1, 3, 640, 640\] +random/);
    expect(result.stdout).toMatch(/output +\[1, 25200, 85\]( +\S+){4} +0$/m);
  });

  it('bench --json reports latency statistics and throughput', async () => {
    const result = await kiln('bench', engine, '--iterations', '3', '--warmup', '1', '--json', '--profile');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.engine).toMatchObject({ threads: 2, layers: 78 });
    expect(report.concurrency).toBe(1);
    const latency = report.kiln.latencyMs;
    expect(latency.count).toBe(3);
    for (const key of ['min', 'mean', 'median', 'p90', 'p95', 'p99', 'max']) expect(latency[key]).toBeGreaterThan(0);
    expect(latency.min).toBeLessThanOrEqual(latency.median);
    expect(latency.median).toBeLessThanOrEqual(latency.max);
    expect(report.kiln.throughput).toBeGreaterThan(0);
    expect(report.ort).toBeUndefined();
    expect(report.profile).toHaveLength(78);
    expect(report.profile[0]).toMatchObject({ name: expect.any(String), type: expect.any(String) });
    expect(report.profile[0].share).toBeGreaterThan(0);
    for (let i = 1; i < report.profile.length; i++) expect(report.profile[i].ms).toBeLessThanOrEqual(report.profile[i - 1].ms);
    expect(report.profile.reduce((sum: number, l: { share: number }) => sum + l.share, 0)).toBeCloseTo(1, 6);
  });

  it('bench --concurrency runs several contexts at once', async () => {
    const result = await kiln('bench', engine, '--iterations', '4', '--warmup', '1', '--concurrency', '2', '--json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.concurrency).toBe(2);
    expect(report.kiln.latencyMs.count).toBeGreaterThanOrEqual(4);
  });

  it('bench --compare-ort measures onnxruntime-node beside Kiln', async () => {
    const result = await kiln('bench', engine, '--model', MODEL, '--compare-ort', '--iterations', '3', '--warmup', '1', '--json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.kiln.latencyMs.count).toBe(3);
    expect(report.ort.latencyMs.count).toBe(3);
    expect(report.ratio).toBeCloseTo(report.kiln.latencyMs.median / report.ort.latencyMs.median, 10);
  });

  it('bench prints a latency table', async () => {
    const result = await kiln('bench', MODEL, '--compare-ort', '--iterations', '3', '--warmup', '1');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ +min +mean +median +p90 +p95 +p99 +max +inf\/s$/m);
    expect(result.stdout).toMatch(/^ {2}kiln( +[\d.]+){8}$/m);
    expect(result.stdout).toMatch(/^ {2}onnxruntime( +[\d.]+){8}$/m);
    expect(result.stdout).toMatch(/^median kiln\/onnxruntime: [\d.]+ \(Kiln [\d.]+x (faster|slower)\)$/m);
  });

  it('compare passes against onnxruntime-node', async () => {
    const result = await kiln('compare', MODEL, '--input', IMAGE, '--json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.pass).toBe(true);
    expect(report.outputs).toHaveLength(1);
    expect(report.outputs[0]).toMatchObject({ name: 'output', shape: [1, 25200, 85], mismatches: 0, pass: true });
    expect(report.outputs[0].maxAbs).toBeLessThan(1e-2);
    expect(report.outputs[0].relL2).toBeLessThan(1e-4);
  });

  it('compare fails, with exit code 1, when the tolerance is impossible', async () => {
    const result = await kiln('compare', MODEL, '--atol', '0', '--rtol', '0');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^ {2}output +\[1, 25200, 85\] .* FAIL$/m);
    expect(result.stdout).toMatch(/^FAIL: 0 of 1 outputs within atol 0, rtol 0$/m);
  });
});

describe('help', () => {
  it.each(['build', 'run', 'bench', 'inspect', 'compare'])('kiln %s --help shows options and examples', async (command) => {
    const result = await kiln(command, '--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: kiln ${command} [options] <model>`);
    expect(result.stdout).toMatch(new RegExp(`Examples:\\n {2}\\$ kiln ${command} `));
  });
});

describe('bad input: one error line and exit code 1', () => {
  /** A copy of the engine with some bytes changed. */
  async function alteredPlan(name: string, change: (bytes: Buffer) => Buffer): Promise<string> {
    const file = path.join(dir, name);
    await writeFile(file, change(Buffer.from(await readFile(engine))));
    return file;
  }

  async function refused(args: string[], message: RegExp): Promise<void> {
    const result = await kiln(...args);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(oneErrorLine(result)).toMatch(message);
  }

  it('an unknown flag', () => refused(['bench', engine, '--jsn'], /^error: unknown option '--jsn' \(Did you mean --json\?\)$/));
  it('an unknown command', () => refused(['benchmark', engine], /^error: unknown command 'benchmark'/));
  it('a flag value that is not a number', () => refused(['bench', engine, '--iterations', 'many'], /--iterations <n>' argument 'many' is invalid/));
  it('a missing file', () => refused(['run', path.join(dir, 'missing.kiln')], /^error: .*missing\.kiln: no such file or directory$/));
  it('a malformed shape string', () => refused(['build', MODEL, '-o', path.join(dir, 'x.kiln'), '--shapes', 'images:1x3x640xabc'], /'images:1x3x640xabc' is not a shape; expected name:DxDx\.\.\., e\.g\. images:1x3x640x640$/));
  it('a shape that does not fit the input', () => refused(['build', MODEL, '-o', path.join(dir, 'x.kiln'), '--shapes', 'images:1x3x320x320'], /^error: --shapes gives 'images' the shape \[1, 3, 320, 320\], which does not fit its shape \[1, 3, 640, 640\]$/));
  it('a shape for an input the model lacks', () => refused(['run', engine, '--shapes', 'image:1x3x640x640'], /^error: --shapes names 'image', which is not an input \(the inputs are 'images'\)$/));
  it('a timing cache that is not one', async () => {
    const file = path.join(dir, 'not-a-cache.json');
    await writeFile(file, '{"format":"something else"}');
    await refused(['build', MODEL, '-o', path.join(dir, 'x.kiln'), '--timing-cache', file], /^error: '.*not-a-cache\.json' is not a Kiln timing cache \(format: /);
  });
  it('a corrupt plan', async () => {
    const file = await alteredPlan('corrupt.kiln', (b) => ((b[b.length - 100] ^= 0xff), b));
    await refused(['run', file], /^error: .*corrupt\.kiln: the engine's checksum does not match: the file is corrupt$/);
  });
  it('a truncated plan', async () => {
    const file = await alteredPlan('truncated.kiln', (b) => b.subarray(0, 4096));
    await refused(['inspect', file], /truncated/);
  });
  it('a .kiln file that is not a plan', async () => {
    const file = await alteredPlan('text.kiln', () => Buffer.from('not an engine'));
    await refused(['bench', file], /^error: .*text\.kiln: not a Kiln engine/);
  });
  it('an ONNX file that is not a model', async () => {
    const file = await alteredPlan('text.onnx', () => Buffer.from('not a model'));
    await refused(['run', file], /^error: .*text\.onnx: not an ONNX model/);
  });

  // Only a CPU lacking some ISA can be handed a plan it cannot run.
  const missingIsa = (['avx512', 'avx2'] as const).find((isa) => !supportedIsas().includes(isa));
  it.skipIf(!missingIsa)('a plan built for an ISA this CPU lacks', async () => {
    // The ISA is the header's fourth u32; the checksum covers only what follows the header.
    const file = await alteredPlan('foreign.kiln', (b) => (b.writeUInt32LE(missingIsa === 'avx512' ? 2 : 1, 12), b));
    await refused(['run', file], new RegExp(`^error: .*foreign\\.kiln: built for '${missingIsa}', which this CPU lacks \\(it has [a-z0-9, ]+\\)$`));
  });
  it.skipIf(!missingIsa)('building for an ISA this CPU lacks', () =>
    refused(['build', MODEL, '-o', path.join(dir, 'x.kiln'), '--isa', missingIsa!], new RegExp(`^error: this CPU cannot run the '${missingIsa}' path`)),
  );

  it('--compare-ort with an engine file and no --model', () => refused(['bench', engine, '--compare-ort'], /^error: --compare-ort needs the ONNX model: .* is an engine, so add --model <model\.onnx>$/));
  it('an input file of the wrong shape', async () => {
    const file = path.join(dir, 'small.npy');
    await writeFile(file, encodeNpy({ dtype: 'float32', shape: [1, 3, 320, 320], data: new Float32Array(3 * 320 * 320) }));
    await refused(['run', engine, '--input', `images=${file}`], /^error: input 'images' must have shape \[1, 3, 640, 640\], got \[1, 3, 320, 320\]$/);
  });
  it('--verbose adds the stack trace', async () => {
    const result = await kiln('run', path.join(dir, 'missing.kiln'), '--verbose');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: .*missing\.kiln: no such file or directory\n/);
    expect(result.stderr).toMatch(/\n +at /);
  });
});
