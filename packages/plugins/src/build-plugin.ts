import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { OptionsError, PluginError, parseOptions } from '@kiln/core';
import { z } from 'zod';
import { pluginCmakeHelper, pluginIncludeDir } from './paths.js';

const run = promisify(execFile);

const buildOptionsSchema = z.strictObject({
  /** Where to write the library (a .so path). */
  output: z.string().min(1),
  /** Extra include folders. */
  includeDirs: z.array(z.string()).default([]),
  /** Extra compile definitions, NAME or NAME=VALUE. */
  defines: z.array(z.string()).default([]),
});
export type BuildPluginOptions = z.input<typeof buildOptionsSchema>;

/**
 * Compiles C++ sources written against kiln_plugin.h into a plugin library with CMake and the
 * system's C++ compiler (CMake ≥ 3.15 and a C++17 compiler needed). Returns the library's path.
 * Throws PluginError (code KILN_PLUGIN_BUILD) with the compiler's output on failure.
 */
export async function buildPlugin(sources: string | string[], options: BuildPluginOptions): Promise<string> {
  const opts = parseOptions(buildOptionsSchema, options, 'buildPlugin options');
  const files = (Array.isArray(sources) ? sources : [sources]).map((s) => path.resolve(s));
  if (!files.length) throw new OptionsError('buildPlugin needs at least one source file');
  const output = path.resolve(opts.output);
  const dir = await mkdtemp(path.join(tmpdir(), 'kiln-plugin-'));
  const quote = (p: string) => `"${p.replaceAll('\\', '/').replaceAll('"', '\\"')}"`;
  const cmake = [
    'cmake_minimum_required(VERSION 3.15)',
    'project(kiln_plugin CXX)',
    `set(KILN_PLUGIN_INCLUDE_DIR ${quote(pluginIncludeDir())})`,
    `include(${quote(pluginCmakeHelper())})`,
    `kiln_add_plugin(plugin ${files.map(quote).join(' ')})`,
    ...opts.includeDirs.map((d) => `target_include_directories(plugin PRIVATE ${quote(path.resolve(d))})`),
    ...opts.defines.map((d) => `target_compile_definitions(plugin PRIVATE ${d})`),
  ].join('\n');
  try {
    await writeFile(path.join(dir, 'CMakeLists.txt'), `${cmake}\n`);
    await run('cmake', ['-S', dir, '-B', path.join(dir, 'build'), '-DCMAKE_BUILD_TYPE=Release'], { maxBuffer: 1 << 24 });
    await run('cmake', ['--build', path.join(dir, 'build')], { maxBuffer: 1 << 24 });
    await mkdir(path.dirname(output), { recursive: true });
    await copyFile(path.join(dir, 'build', 'libplugin.so'), output);
    return output;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    const log = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim().split('\n').slice(-20).join('\n');
    throw new PluginError('KILN_PLUGIN_BUILD', `building the plugin from ${files.map((f) => path.basename(f)).join(', ')} failed:\n${log || e.message}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
