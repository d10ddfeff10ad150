#!/usr/bin/env node
/**
 * kiln-onnx-conformance [--dir DIR] [--json] [--filter SUBSTRING] [--verbose] [--expect FILE] [--write-expected FILE]
 * Runs every ONNX backend test folder under DIR through parse → build → execute. With --expect,
 * exits 1 naming every test the file lists (one name per line) that did not pass; the list may
 * only grow. --write-expected writes the names of the tests that passed.
 */
import { readFile, writeFile } from 'node:fs/promises';
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
    options: {
      dir: { type: 'string' },
      json: { type: 'boolean' },
      filter: { type: 'string' },
      verbose: { type: 'boolean' },
      expect: { type: 'string' },
      'write-expected': { type: 'string' },
    },
  });
  const result = await runSuite(path.resolve(values.dir ?? DEFAULT_DIR), {
    filter: values.filter,
    onResult: values.verbose && !values.json ? (r) => console.log(`${r.status.padEnd(11)} ${r.name}${r.reason ? `: ${r.reason}` : ''}`) : undefined,
  });
  const passed = result.tests.filter((t) => t.status === 'passed').map((t) => t.name);
  if (values['write-expected']) await writeFile(values['write-expected'], `${passed.sort().join('\n')}\n`);
  if (values.json) console.log(jsonReport(result));
  else {
    console.log(opTable(result));
    console.log(summaryLine(result));
  }
  if (values.expect) {
    const expected = (await readFile(values.expect, 'utf8')).split('\n').map((l) => l.trim()).filter(Boolean);
    const passing = new Set(passed);
    const regressions = expected.filter((name) => !passing.has(name));
    if (regressions.length) {
      const reasons = new Map(result.tests.map((t) => [t.name, `${t.status}${t.reason ? `: ${t.reason.split('\n')[0]}` : ''}`]));
      console.error(`${regressions.length} test(s) listed in ${values.expect} no longer pass:`);
      for (const name of regressions) console.error(`  ${name}: ${reasons.get(name) ?? 'not found'}`);
      process.exitCode = 1;
    } else if (!values.json) {
      console.log(`all ${expected.length} tests listed in ${path.basename(values.expect)} pass`);
    }
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error) => {
    console.error(error);
    process.exit(2);
  },
);
