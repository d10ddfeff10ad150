import type { SuiteResult } from './suite.js';

/** One row per op: how many of its tests passed, failed and were unsupported. */
export function opTable(result: SuiteResult): string {
  const rows = new Map<string, [number, number, number]>();
  for (const test of result.tests) {
    const row = rows.get(test.op) ?? [0, 0, 0];
    row[test.status === 'passed' ? 0 : test.status === 'failed' ? 1 : 2]++;
    rows.set(test.op, row);
  }
  const header = ['op', 'passed', 'failed', 'unsupported'];
  const body = [...rows].sort(([a], [b]) => a.localeCompare(b)).map(([op, counts]) => [op, ...counts.map(String)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), ...body.map(line)].join('\n');
}

export function summaryLine(result: SuiteResult): string {
  return `${result.passed} passed, ${result.failed} failed, ${result.unsupported} unsupported`;
}

export function jsonReport(result: SuiteResult): string {
  const { passed, failed, unsupported, total, tests } = result;
  return JSON.stringify({ passed, failed, unsupported, total, tests: tests.map(({ name, status, reason }) => ({ name, status, reason })) }, null, 2);
}
