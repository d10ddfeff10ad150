import { KilnError } from '@kiln/core';

/** A problem with what the user asked for; printed as one `error:` line, never with a stack. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

const SYSTEM_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
};

/** The message to print after `error: ` for anything a command threw. */
export function describeError(error: unknown): string {
  if (error instanceof CliError || error instanceof KilnError) return error.message;
  const system = error as NodeJS.ErrnoException;
  if (system?.code && SYSTEM_ERRORS[system.code]) return `${system.path ?? 'a file'}: ${SYSTEM_ERRORS[system.code]}`;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Expected failures (bad input, unsupported models, corrupt plans) need no stack trace. */
export function isExpected(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException)?.code;
  return error instanceof CliError || error instanceof KilnError || (code !== undefined && code in SYSTEM_ERRORS);
}
