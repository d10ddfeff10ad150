import { err } from './colors.js';
import { describeError, isExpected } from './errors.js';
import { createProgram, type CliState } from './program.js';

const state: CliState = { verbose: process.argv.includes('--verbose') };

try {
  await createProgram(state).parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`${err.red('error:')} ${describeError(error)}\n`);
  if (state.verbose && error instanceof Error && error.stack) process.stderr.write(`${err.dim(error.stack)}\n`);
  else if (!isExpected(error)) process.stderr.write(err.dim('(this looks like a bug in Kiln; --verbose shows the stack trace)\n'));
  process.exitCode = 1;
}
