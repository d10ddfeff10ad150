import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Logger, NetworkDefinition } from '@kiln/core';
import { describe, expect, it } from 'vitest';
import { OnnxParseError, OnnxParser } from '../src/index.js';

const SUITE = path.resolve(__dirname, '../../../../shared/onnx-backend/node');
const claimed = new Map(OnnxParser.supportedOps().map((op) => [op.opType, op]));

/**
 * Parses every model of the ONNX backend conformance suite. Most are refused (ops not imported
 * yet, opsets past 21, dtypes Kiln lacks); what matters is that none crashes, and that no node of
 * an op the parser claims, at an opset it claims, is refused except for the attributes Kiln
 * cannot honour on purpose.
 */
describe('ONNX backend suite models', () => {
  const problems: string[] = [];
  const crashes: string[] = [];
  let imported = 0;
  for (const test of readdirSync(SUITE).sort()) {
    const file = path.join(SUITE, test, 'model.onnx');
    if (!existsSync(file)) continue;
    try {
      new OnnxParser(new NetworkDefinition(), { logger: new Logger({ severity: 'error' }) }).parse(readFileSync(file), { modelPath: file });
      imported++;
    } catch (error) {
      if (!(error instanceof OnnxParseError)) crashes.push(`${test}: ${String(error)}`);
      else {
        for (const issue of error.issues) {
          const op = claimed.get(issue.opType);
          const inRange = op && issue.domain === op.domain && issue.opset >= op.sinceVersion && issue.opset <= op.untilVersion;
          if (inRange && !/has no (Kiln )?dtype/.test(issue.message)) problems.push(`${test}: ${issue.opType}: ${issue.message}`);
        }
      }
    }
  }

  it('never crash', () => {
    expect(crashes).toEqual([]);
  });

  // What Kiln refuses on purpose: training behaviour (modes, statistics and mask outputs), antialiasing, column-major indices,
  // blocked quantization and quantized types other than uint8/int8.
  const deliberate = /training|'mask'|Mean, InvStdDev|antialias|storage_order|block_size|quantizing (to )?(this type|INT16|int16|uint16)/;

  it('import wherever every op is claimed, but for training features, antialiasing, column-major indices and other quantized types', () => {
    expect(problems.filter((p) => !deliberate.test(p))).toEqual([]);
    expect(problems.filter((p) => deliberate.test(p)).length).toBeGreaterThan(8);
    expect(imported).toBeGreaterThanOrEqual(200);
  });
});
