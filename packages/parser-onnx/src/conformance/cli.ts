#!/usr/bin/env node
/**
 * kiln-onnx-conformance [--dir DIR] [--json] [--filter SUBSTRING] [--verbose]
 * Runs every ONNX backend test folder under DIR through parse → build → execute.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { jsonReport, opTable, summaryLine } from './report.js';
import { runSuite } from './suite.js';

// dist/ (and src/conformance/ under tsx) sit inside the package; the suite is beside the repository.
const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), path.basename(path.dirname(fileURLToPath(import.meta.url))) === 'conformance' ? '../..' : '..');
const DEFAULT_DIR = path.resolve(packageRoot, '../../../shared/onnx-backend/node');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { dir: { type: 'string' }, json: { type: 'boolean' }, filter: { type: 'string' }, verbose: { type: 'boolean' } },
  });
  const result = await runSuite(path.resolve(values.dir ?? DEFAULT_DIR), {
    filter: values.filter,
    onResult: values.verbose && !values.json ? (r) => console.log(`${r.status.padEnd(11)} ${r.name}${r.reason ? `: ${r.reason}` : ''}`) : undefined,
  });
  if (values.json) {
    console.log(jsonReport(result));
    return;
  }
  console.log(opTable(result));
  console.log(summaryLine(result));
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(2);
  },
);
