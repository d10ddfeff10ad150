import { Logger } from '@kiln/core';
import { err } from './colors.js';

/** Kiln's log on stderr: warnings and errors, everything with --verbose. */
export function createLogger(verbose: boolean): Logger {
  return new Logger({
    severity: verbose ? 'verbose' : 'warning',
    sink: (severity, message) => {
      const label = severity === 'error' ? err.red(severity) : severity === 'warning' ? err.yellow(severity) : err.dim(severity);
      process.stderr.write(`${label}: ${message}\n`);
    },
  });
}
