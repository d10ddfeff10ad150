import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { runTest, type TestResult } from './run-test.js';

export interface SuiteResult {
  passed: number;
  failed: number;
  unsupported: number;
  total: number;
  tests: TestResult[];
}

/** The test folders under `dir` (those holding a model.onnx), sorted, whose name contains `filter`. */
export function listTests(dir: string, filter?: string): string[] {
  return readdirSync(dir)
    .filter((name) => (!filter || name.includes(filter)) && existsSync(path.join(dir, name, 'model.onnx')))
    .sort()
    .map((name) => path.join(dir, name));
}

/** Runs the tests one after another in this process; `onResult` sees each as it finishes. */
export async function runSuite(dir: string, options: { filter?: string; only?: string[]; onResult?: (r: TestResult) => void } = {}): Promise<SuiteResult> {
  let tests = listTests(dir, options.filter);
  if (options.only) tests = tests.filter((t) => options.only!.includes(path.basename(t)));
  const results: TestResult[] = [];
  for (const test of tests) {
    const result = await runTest(test);
    results.push(result);
    options.onResult?.(result);
  }
  const count = (status: TestResult['status']) => results.filter((r) => r.status === status).length;
  return { passed: count('passed'), failed: count('failed'), unsupported: count('unsupported'), total: results.length, tests: results };
}
