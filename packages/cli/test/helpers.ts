import { execFile } from 'node:child_process';
import path from 'node:path';

export const PACKAGE = path.resolve(__dirname, '..');
export const SHARED = path.resolve(__dirname, '../../../../shared');
export const MODEL = path.join(SHARED, 'models/yolov5n.onnx');
export const IMAGE = path.join(SHARED, 'images/bus.jpg');
const CLI = path.join(PACKAGE, 'dist/cli.js');

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built `kiln` binary; never throws, the exit code is part of the result. */
export function kiln(...args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** stderr of a refused command: exactly one `error:` line, no stack trace. */
export function oneErrorLine(result: Result): string {
  const lines = result.stderr.trimEnd().split('\n');
  if (lines.length !== 1 || !lines[0].startsWith('error: ')) throw new Error(`expected one error line, got:\n${result.stderr}`);
  return lines[0];
}
