import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BuildError, Builder, KilnError, Logger, NetworkDefinition, type InputProfile, type Tensor } from '@kiln/core';
import { OnnxParseError } from '../onnx-parse-error.js';
import { OnnxParser } from '../onnx-parser.js';
import { ImportFailure } from '../import-failure.js';
import { decodeModelProto } from '../proto/onnx-proto.js';
import { compareTensors, toleranceFor } from './compare.js';
import { readTestDataSets, type TestDataSet } from './test-data.js';

export type TestStatus = 'passed' | 'failed' | 'unsupported';

export interface TestResult {
  name: string;
  /** The op the test is about: the model's node type the test is named after, else its first node's. */
  op: string;
  status: TestStatus;
  reason: string;
}

const quiet = new Logger({ severity: 'error' });

/** A refusal of what Kiln does not implement (as opposed to a wrong answer or a crash). */
function isRefusal(error: unknown): boolean {
  if (error instanceof OnnxParseError || error instanceof ImportFailure) return true;
  if (!(error instanceof BuildError)) return false;
  return error.code === 'KILN_UNSUPPORTED' || /no (native )?kernel|this kernel takes|must be (a constant )?known at build time/.test(error.message);
}

/** Shape tensors: what the builder may need as a build-time value (TensorRT asks the same of its shape inputs). */
function isShapeLike(tensor: Tensor): boolean {
  if (tensor.shape.length === 0) return true;
  return tensor.shape.length === 1 && tensor.shape[0] <= 64 && (tensor.dtype === 'int64' || tensor.dtype === 'int32');
}

function opOf(name: string, opTypes: string[]): string {
  const key = name.replace(/^test_/, '').replace(/_/g, '').toLowerCase();
  const named = opTypes.filter((op) => key.startsWith(op.toLowerCase())).sort((a, b) => b.length - a.length)[0];
  return named ?? opTypes.find((op) => op !== 'Constant') ?? opTypes[0] ?? '?';
}

function parse(bytes: Uint8Array, modelPath: string): NetworkDefinition {
  const network = new NetworkDefinition();
  new OnnxParser(network, { logger: quiet }).parse(bytes, { modelPath });
  return network;
}

/** Profiles spanning the shapes the data sets give each input. */
function profilesFor(network: NetworkDefinition, sets: TestDataSet[]): Record<string, InputProfile> {
  const profiles: Record<string, InputProfile> = {};
  network.inputs.forEach((input, i) => {
    if (input.shape.every((d) => typeof d === 'number')) return;
    const shapes = sets.map((s) => s.inputs[i]?.shape ?? []);
    const min = input.shape.map((_, d) => Math.min(...shapes.map((s) => s[d] ?? 1)));
    const max = input.shape.map((_, d) => Math.max(...shapes.map((s) => s[d] ?? 1)));
    profiles[input.name] = { min, opt: max, max };
  });
  return profiles;
}

/** Turns the shape-like inputs into constants holding this data set's values; returns their names. */
function bindShapeInputs(network: NetworkDefinition, set: TestDataSet): string[] {
  const bound: string[] = [];
  for (let i = network.inputs.length - 1; i >= 0; i--) {
    const tensor = set.inputs[i];
    if (!tensor || !isShapeLike(tensor)) continue;
    const [input] = network.inputs.splice(i, 1);
    network.addConstant(input.name, tensor);
    bound.unshift(input.name);
  }
  return bound;
}

async function buildAndRun(network: NetworkDefinition, sets: TestDataSet[], inputIndices: number[], op: string): Promise<string | undefined> {
  const engine = await new Builder({ logger: quiet }).build(network, { threads: 1, timeTactics: false, profiles: profilesFor(network, sets) });
  const context = engine.createContext();
  for (const set of sets) {
    const feeds: Record<string, Tensor> = {};
    network.inputs.forEach((input, i) => (feeds[input.name] = set.inputs[inputIndices[i]]));
    const results = await context.execute(feeds);
    for (let k = 0; k < set.outputs.length; k++) {
      const name = network.outputs[k];
      const actual = name === undefined ? undefined : results[name];
      if (!actual) return `${set.name}: no output ${k}`;
      const problem = compareTensors(actual, set.outputs[k], toleranceFor(op));
      if (problem) return `${set.name}: output '${name}': ${problem}`;
    }
  }
  return undefined;
}

async function runModel(testDir: string, bytes: Uint8Array, op: string): Promise<Omit<TestResult, 'name' | 'op'>> {
  const modelPath = path.join(testDir, 'model.onnx');
  const network = parse(bytes, modelPath);
  const sets = readTestDataSets(testDir);
  if (!sets.length) return { status: 'failed', reason: 'no test_data_set_* folders' };
  for (const set of sets) {
    if (set.inputs.length !== network.inputs.length) return { status: 'failed', reason: `${set.name} has ${set.inputs.length} inputs, the model ${network.inputs.length}` };
    if (set.outputs.length > network.outputs.length) return { status: 'failed', reason: `${set.name} has ${set.outputs.length} outputs, the model ${network.outputs.length}` };
  }
  const all = network.inputs.map((_, i) => i);
  try {
    const problem = await buildAndRun(network, sets, all, op);
    return problem ? { status: 'failed', reason: problem } : { status: 'passed', reason: '' };
  } catch (error) {
    if (!(error instanceof BuildError && /known at build time/.test(error.message))) throw error;
  }
  // The builder needs some input's value: build once per data set with the shape-like inputs bound.
  let bound: string[] = [];
  for (const set of sets) {
    const specialized = parse(bytes, modelPath);
    const names = specialized.inputs.map((i) => i.name);
    bound = bindShapeInputs(specialized, set);
    const problem = await buildAndRun(specialized, [set], specialized.inputs.map((i) => names.indexOf(i.name)), op);
    if (problem) return { status: 'failed', reason: problem };
  }
  return { status: 'passed', reason: `shape inputs bound at build time: ${bound.join(', ')}` };
}

/** Runs one test folder (model.onnx + test_data_set_*) through parse → build → execute and compares. */
export async function runTest(testDir: string): Promise<TestResult> {
  const name = path.basename(testDir);
  let op = '?';
  try {
    const bytes = readFileSync(path.join(testDir, 'model.onnx'));
    try {
      op = opOf(name, (decodeModelProto(bytes).graph?.node ?? []).map((n) => n.op_type));
    } catch {
      // Not a ModelProto: parse() below says so.
    }
    return { name, op, ...(await runModel(testDir, bytes, op)) };
  } catch (error) {
    const reason = describe(error);
    return { name, op, status: isRefusal(error) ? 'unsupported' : 'failed', reason };
  }
}

function describe(error: unknown): string {
  if (error instanceof OnnxParseError && error.issues.length) return error.issues.map((i) => `${i.node} (${i.opType}): ${i.message}`).join('; ');
  if (error instanceof KilnError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
