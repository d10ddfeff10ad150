import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Logger, type Tensor } from '@kiln/core';
import { decodeTensorProto } from '../proto/onnx-proto.js';
import { decodeTensor } from '../tensor/decode-tensor.js';

export interface TestDataSet {
  name: string;
  inputs: Tensor[];
  outputs: Tensor[];
}

const quiet = new Logger({ severity: 'error' });

/** A serialized TensorProto (`input_0.pb`, ...) decoded the way the parser decodes initializers. */
export function readTensorFile(file: string): Tensor {
  return decodeTensor(decodeTensorProto(readFileSync(file)), `'${path.basename(file)}'`, { logger: quiet });
}

function numbered(dir: string, prefix: string): string[] {
  const files = readdirSync(dir).filter((f) => new RegExp(`^${prefix}_\\d+\\.pb$`).test(f));
  return files.sort((a, b) => parseInt(a.slice(prefix.length + 1), 10) - parseInt(b.slice(prefix.length + 1), 10)).map((f) => path.join(dir, f));
}

/** The `test_data_set_N` folders of a test, each with its input_K.pb and output_K.pb files. */
export function readTestDataSets(testDir: string): TestDataSet[] {
  return readdirSync(testDir)
    .filter((f) => f.startsWith('test_data_set_') && existsSync(path.join(testDir, f)))
    .sort()
    .map((name) => {
      const dir = path.join(testDir, name);
      return { name, inputs: numbered(dir, 'input').map(readTensorFile), outputs: numbered(dir, 'output').map(readTensorFile) };
    });
}
