import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Logger, NetworkDefinition } from '@kiln/core';
import { afterAll, describe, expect, it } from 'vitest';
import { OnnxParser } from '../src/index.js';
import { decodeLittleEndian } from '../src/tensor/little-endian.js';
import { OnnxDataType, encodeModel, float32Bytes, node, rawTensor, tensor, valueInfo, type TensorInit } from './helpers/onnx-builder.js';
import { constantNamed, parseIssues, parseModel } from './helpers/parse.js';

/** A model whose only node reads initializer `w`, so the initializer is imported as a constant. */
function modelWith(initializer: TensorInit): Uint8Array {
  return encodeModel({
    nodes: [node('Identity', [initializer.name!], ['y'], [], { name: 'id' })],
    outputs: [valueInfo('y', initializer.data_type)],
    initializers: [initializer],
  });
}

const decoded = (initializer: TensorInit, modelPath?: string) => constantNamed(parseModel(modelWith(initializer), { modelPath }).network, initializer.name!);

describe('typed fields', () => {
  it('reads int64_data exactly, beyond 2^53 too', () => {
    const t = decoded(tensor('w', OnnxDataType.INT64, [3], ['9223372036854775807', '-9223372036854775808', -5]));
    expect(t).toEqual({ dtype: 'int64', shape: [3], data: BigInt64Array.of(9223372036854775807n, -9223372036854775808n, -5n) });
  });

  it('reads float16 bits from int32_data', () => {
    expect(decoded(tensor('w', OnnxDataType.FLOAT16, [2], [0x3c00, 0xc000]))).toEqual({ dtype: 'float16', shape: [2], data: Uint16Array.of(0x3c00, 0xc000) });
  });

  it('reads int8, uint8, int32 and bool from int32_data', () => {
    expect(decoded(tensor('w', OnnxDataType.INT8, [2], [-128, 127])).data).toEqual(Int8Array.of(-128, 127));
    expect(decoded(tensor('w', OnnxDataType.UINT8, [2], [0, 255])).data).toEqual(Uint8Array.of(0, 255));
    expect(decoded(tensor('w', OnnxDataType.INT32, [2], [-2147483648, 7])).data).toEqual(Int32Array.of(-2147483648, 7));
    expect(decoded(tensor('w', OnnxDataType.BOOL, [3], [1, 0, 1]))).toEqual({ dtype: 'bool', shape: [3], data: Uint8Array.of(1, 0, 1) });
  });

  it('reads float_data, and a scalar', () => {
    expect(decoded(tensor('w', OnnxDataType.FLOAT, [], [2.5]))).toEqual({ dtype: 'float32', shape: [], data: Float32Array.of(2.5) });
  });

  it('converts double_data to float32 with a warning', () => {
    const { network, warnings } = parseModel(modelWith(tensor('w', OnnxDataType.DOUBLE, [2], [0.1, -3])));
    expect(constantNamed(network, 'w')).toEqual({ dtype: 'float32', shape: [2], data: Float32Array.of(0.1, -3) });
    expect(warnings).toEqual(["initializer 'w' is float64; Kiln converts it to float32"]);
  });
});

describe('raw_data', () => {
  it('reads little-endian int64 and float16', () => {
    const int64 = new DataView(new ArrayBuffer(16));
    int64.setBigInt64(0, -2n, true);
    int64.setBigInt64(8, 1n << 40n, true);
    expect(decoded(rawTensor('w', OnnxDataType.INT64, [2], new Uint8Array(int64.buffer))).data).toEqual(BigInt64Array.of(-2n, 1n << 40n));
    expect(decoded(rawTensor('w', OnnxDataType.FLOAT16, [2], Uint8Array.of(0x00, 0x3c, 0x00, 0xc0))).data).toEqual(Uint16Array.of(0x3c00, 0xc000));
  });

  it('reads doubles, as float32', () => {
    const bytes = new DataView(new ArrayBuffer(16));
    bytes.setFloat64(0, 1.25, true);
    bytes.setFloat64(8, -1e300, true);
    expect(decoded(rawTensor('w', OnnxDataType.DOUBLE, [2], new Uint8Array(bytes.buffer))).data).toEqual(Float32Array.of(1.25, -Infinity));
  });

  it('reads bool bytes as 0 or 1', () => {
    expect(decoded(rawTensor('w', OnnxDataType.BOOL, [3], Uint8Array.of(0, 1, 2))).data).toEqual(Uint8Array.of(0, 1, 1));
  });

  it('reads raw data at an unaligned offset of the model buffer', () => {
    const bytes = modelWith(rawTensor('w', OnnxDataType.FLOAT, [3], float32Bytes([1.5, -2, 3.25])));
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    const { network } = parseModel(shifted.subarray(3));
    const w = constantNamed(network, 'w');
    expect(w.data).toEqual(Float32Array.of(1.5, -2, 3.25));
    expect(w.data.buffer).not.toBe(shifted.buffer);
  });

  it('decodes from any byte offset', () => {
    const buffer = new Uint8Array(13);
    buffer.set(float32Bytes([7.5, -0.25, 1e-3]), 1);
    expect(decodeLittleEndian(OnnxDataType.FLOAT, buffer.subarray(1), 3)).toEqual(Float32Array.of(7.5, -0.25, 1e-3));
    const int32 = new Uint8Array(9);
    int32.set([0xfe, 0xff, 0xff, 0xff, 0x01, 0x02, 0x00, 0x00], 1);
    expect(decodeLittleEndian(OnnxDataType.INT32, int32.subarray(1), 2)).toEqual(Int32Array.of(-2, 0x0201));
  });

  it('refuses raw data of the wrong length and types Kiln has no dtype for', () => {
    expect(parseIssues(modelWith(rawTensor('w', OnnxDataType.FLOAT, [2], new Uint8Array(6))))).toEqual([
      { node: 'w', opType: 'initializer', domain: '', opset: 13, message: "initializer 'w' holds 6 bytes of raw data, but its shape needs 2 × 4 = 8" },
    ]);
    expect(parseIssues(modelWith(rawTensor('w', OnnxDataType.BFLOAT16, [1], new Uint8Array(2))))[0].message)
      .toBe("initializer 'w' has data type BFLOAT16, which Kiln has no dtype for");
    expect(parseIssues(modelWith(tensor('w', OnnxDataType.FLOAT, [3], [1, 2])))[0].message)
      .toBe("initializer 'w' has shape [3] (3 elements) but holds 2 values");
  });
});

describe('external data', () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'kiln-onnx-'));
  const modelFolder = path.join(folder, 'model');
  mkdirSync(path.join(modelFolder, 'weights'), { recursive: true });
  const modelPath = path.join(modelFolder, 'model.onnx');
  writeFileSync(path.join(modelFolder, 'weights', 'data.bin'), Buffer.concat([Buffer.alloc(5, 0xee), float32Bytes([1, 2, 3, 4])]));
  writeFileSync(path.join(folder, 'secret.bin'), float32Bytes([9, 9]));
  symlinkSync(path.join(folder, 'secret.bin'), path.join(modelFolder, 'link.bin'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  const external = (location: string, extra: Record<string, string> = {}): TensorInit => ({
    name: 'w', dims: [2], data_type: OnnxDataType.FLOAT, data_location: 1,
    external_data: Object.entries({ location, ...extra }).map(([key, value]) => ({ key, value })),
  });

  it('reads offset and length from a file beside the model', () => {
    expect(decoded(external('weights/data.bin', { offset: '9', length: '8' }), modelPath).data).toEqual(Float32Array.of(2, 3));
  });

  it('reads to the end of the file without a length', () => {
    const t = { ...external('weights/data.bin', { offset: '13' }), dims: [2] };
    expect(decoded(t, modelPath).data).toEqual(Float32Array.of(3, 4));
  });

  it('is found by parseFromFile', async () => {
    writeFileSync(modelPath, modelWith(external('weights/data.bin', { offset: '5', length: '8' })));
    const network = new NetworkDefinition();
    await new OnnxParser(network, { logger: new Logger({ severity: 'error' }) }).parseFromFile(modelPath);
    expect(network.constants.get('w')!.data).toEqual(Float32Array.of(1, 2));
  });

  it('refuses locations outside the model folder', () => {
    for (const location of ['../secret.bin', path.join(folder, 'secret.bin'), 'link.bin']) {
      const [issue] = parseIssues(modelWith(external(location)), { modelPath });
      expect(issue).toMatchObject({ node: 'w', opType: 'initializer' });
      expect(issue.message).toContain(`external data location '${location}' is outside the model's folder`);
    }
  });

  it('needs modelPath', () => {
    expect(parseIssues(modelWith(external('weights/data.bin')))[0].message).toBe(
      "initializer 'w' stores its data in the external file 'weights/data.bin'; pass { modelPath } to parse() (or use parseFromFile) so it can be found",
    );
  });

  it('reports a file too short for offset and length', () => {
    expect(parseIssues(modelWith(external('weights/data.bin', { offset: '16', length: '8' })), { modelPath })[0].message)
      .toBe("initializer 'w' external data 'weights/data.bin' is 21 bytes, too short for offset 16 and length 8");
  });
});
