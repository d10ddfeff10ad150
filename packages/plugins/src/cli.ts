import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildPlugin } from './build-plugin.js';
import { pluginCmakeHelper, pluginIncludeDir } from './paths.js';

const USAGE = `Usage:
  kiln-plugin build <source.cpp>... -o <libname.so> [-I <dir>]... [-D NAME[=VALUE]]...
  kiln-plugin include-dir      print the folder of kiln_plugin.h
  kiln-plugin cmake-helper     print the path of KilnPlugin.cmake (kiln_add_plugin) for your own CMake

Example:
  kiln-plugin build my_op.cpp -o build/libmy_op.so`;

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'include-dir') return void console.log(pluginIncludeDir());
  if (command === 'cmake-helper') return void console.log(pluginCmakeHelper());
  if (command !== 'build') {
    console.log(USAGE);
    if (command && command !== '--help' && command !== '-h') process.exitCode = 1;
    return;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { output: { type: 'string', short: 'o' }, include: { type: 'string', short: 'I', multiple: true }, define: { type: 'string', short: 'D', multiple: true } },
  });
  if (!positionals.length || !values.output) throw new Error('kiln-plugin build needs source files and -o <libname.so>');
  const library = await buildPlugin(positionals, { output: values.output, includeDirs: values.include ?? [], defines: values.define ?? [] });
  console.log(path.relative(process.cwd(), library) || library);
}

main().catch((error: unknown) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
