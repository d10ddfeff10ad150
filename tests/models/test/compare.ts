import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Builder, NetworkDefinition, type BuildOptions, type Engine } from '@kiln/core';
import { OnnxParser } from '@kiln/parser-onnx';
import * as ort from 'onnxruntime-node';

export const SHARED_MODELS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/models');

export async function buildKiln(file: string, options: BuildOptions): Promise<Engine> {
  const network = new NetworkDefinition();
  new OnnxParser(network).parse(await readFile(file));
  return new Builder().build(network, options);
}

export async function runOrt(file: string, name: string, input: Float32Array, shape: number[], options: ort.InferenceSession.SessionOptions = {}): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 2, ...options });
  const outputs = await session.run({ [name]: new ort.Tensor('float32', input, shape) });
  const out = outputs[session.outputNames[0]].data as Float32Array;
  await session.release();
  return out;
}

/** Image-like input: values in [0, 1), deterministic. */
export function imageInput(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = (s >>> 0) / 4294967296;
  }
  return out;
}

/**
 * Errors of a YOLO head output ([..., 85]: 4 box coordinates in pixels, then objectness and class
 * scores in [0, 1]). Box coordinates reach ~1500 px, where float32 itself is only good to ~1e-4 and
 * two correct engines summing in different orders differ by a few ulps, so boxes are held to
 * 1e-3 + 1e-5·|ref|; scores to 1e-3 absolute.
 */
export function errors(actual: Float32Array, expected: Float32Array): { maxAbs: number; maxScoreAbs: number; maxBoxExcess: number; relL2: number } {
  let maxAbs = 0;
  let maxScoreAbs = 0;
  let maxBoxExcess = -Infinity;
  let diff2 = 0;
  let ref2 = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (Number.isNaN(d)) return { maxAbs: NaN, maxScoreAbs: NaN, maxBoxExcess: NaN, relL2: NaN };
    maxAbs = Math.max(maxAbs, d);
    if (i % 85 < 4) maxBoxExcess = Math.max(maxBoxExcess, d - (1e-3 + 1e-5 * Math.abs(expected[i])));
    else maxScoreAbs = Math.max(maxScoreAbs, d);
    diff2 += d * d;
    ref2 += expected[i] * expected[i];
  }
  return { maxAbs, maxScoreAbs, maxBoxExcess, relL2: Math.sqrt(diff2 / ref2) };
}
