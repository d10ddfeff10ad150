import { createRequire } from 'node:module';
import { Command } from 'commander';
import { err } from './colors.js';
import { registerBench } from './commands/bench.js';
import { registerBuild } from './commands/build.js';
import { registerCompare } from './commands/compare.js';
import { registerInspect } from './commands/inspect.js';
import { registerRun } from './commands/run.js';
import { loadPlugins } from './plugins.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

export interface CliState {
  verbose: boolean;
}

export function createProgram(state: CliState): Command {
  const program = new Command('kiln')
    .description('Build, run, benchmark, inspect and check Kiln engines from ONNX models')
    .version(version, '-V, --version')
    .showSuggestionAfterError(true)
    .configureOutput({
      // Commander puts "(Did you mean ...?)" on a line of its own; keep every error to one line.
      outputError: (message, write) => write(err.red(message.trimEnd().replace(/\n+/g, ' ')) + '\n'),
    })
    .option(
      '--plugins <libraries>',
      'plugin libraries (.so, comma-separated or the flag repeated) to load before parsing, building or loading an engine',
      (value: string, previous: string[] = []) => [...previous, ...value.split(',').filter(Boolean)],
    )
    .hook('preAction', (program, action) => {
      state.verbose = Boolean(action.opts().verbose);
      loadPlugins(program.opts().plugins);
    });
  for (const register of [registerBuild, registerRun, registerBench, registerInspect, registerCompare]) register(program);
  program.addHelpText(
    'after',
    `
Examples:
  $ kiln build yolov5n.onnx -o yolov5n.kiln
  $ kiln run yolov5n.kiln --input images=bus.jpg --output-dir out
  $ kiln bench yolov5n.kiln --model yolov5n.onnx --compare-ort
  $ kiln inspect yolov5n.kiln
  $ kiln compare yolov5n.onnx --input bus.jpg
  $ kiln --plugins build/libscaled_swish.so build conv-scaled-swish.onnx -o custom.kiln
`,
  );
  return program;
}
