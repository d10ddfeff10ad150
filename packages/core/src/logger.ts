import { z } from 'zod';
import { parseOptions } from './options.js';

export type Severity = 'error' | 'warning' | 'info' | 'verbose';

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2, verbose: 3 };

export type LogSink = (severity: Severity, message: string) => void;

const loggerOptionsSchema = z.strictObject({
  severity: z.enum(['error', 'warning', 'info', 'verbose']).default('warning'),
  sink: z.custom<LogSink>((v) => typeof v === 'function', 'a function (severity, message) => void').optional(),
});
export type LoggerOptions = z.input<typeof loggerOptionsSchema>;

/** Where Kiln reports what it does; messages above `severity` are dropped. Default sink: stderr. */
export class Logger {
  readonly severity: Severity;
  private readonly sink: LogSink;

  constructor(options: LoggerOptions = {}) {
    const parsed = parseOptions(loggerOptionsSchema, options, 'Logger options');
    this.severity = parsed.severity;
    this.sink = parsed.sink ?? ((severity, message) => process.stderr.write(`[kiln] ${severity}: ${message}\n`));
  }

  enabled(severity: Severity): boolean {
    return SEVERITY_RANK[severity] <= SEVERITY_RANK[this.severity];
  }

  log(severity: Severity, message: string): void {
    if (this.enabled(severity)) this.sink(severity, message);
  }
  error(message: string): void { this.log('error', message); }
  warning(message: string): void { this.log('warning', message); }
  info(message: string): void { this.log('info', message); }
  verbose(message: string): void { this.log('verbose', message); }
}
