import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { elementCount, type EngineTensorInfo, type Tensor } from '@kiln/core';
import { decodeImage, letterbox, toTensor } from '@kiln/preprocess';
import { CliError } from './errors.js';
import { readNpy } from './npy.js';
import { randomFloats } from './random.js';
import { toFloat32 } from './values.js';
import { checkShapeNames, formatShape, runtimeShape, type ShapeSpecs } from './shapes.js';

export interface PreparedInput {
  name: string;
  /** Where the values came from: a file path, or 'random'. */
  source: string;
  tensor: Tensor<'float32'>;
}

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif']);

/** Splits `name=file`; with a single input, anything else is the file's path. */
function assignFiles(inputs: readonly EngineTensorInfo[], specs: readonly string[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const named = eq > 0 ? inputs.find((i) => i.name === spec.slice(0, eq)) : undefined;
    let name: string;
    let file: string;
    if (named) {
      name = named.name;
      file = spec.slice(eq + 1);
    } else if (inputs.length === 1) {
      name = inputs[0].name;
      file = spec;
    } else {
      throw new CliError(`--input '${spec}' must be name=file (the inputs are ${inputs.map((i) => `'${i.name}'`).join(', ')})`);
    }
    if (files.has(name)) throw new CliError(`--input gives '${name}' twice`);
    files.set(name, file);
  }
  return files;
}

async function fromNpy(file: string): Promise<Tensor<'float32'>> {
  const array = await readNpy(file);
  return { dtype: 'float32', shape: array.shape, data: toFloat32(array) };
}

async function fromRaw(file: string, shape: number[], info: EngineTensorInfo): Promise<Tensor<'float32'>> {
  const bytes = await readFile(file);
  const needed = elementCount(shape) * 4;
  if (bytes.length !== needed) {
    throw new CliError(`${file} has ${bytes.length} bytes; input '${info.name}' ${formatShape(shape)} as raw float32 needs ${needed} (use --shapes for dynamic dimensions)`);
  }
  return { dtype: 'float32', shape, data: new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + needed)) };
}

async function fromImage(file: string, shape: number[], info: EngineTensorInfo, shapeGiven: boolean): Promise<Tensor<'float32'>> {
  if (shape.length !== 4 || shape[1] !== 3) throw new CliError(`input '${info.name}' ${formatShape(info.shape)} does not take an image: images need an [N, 3, H, W] input`);
  const dynamicSize = typeof info.shape[2] === 'string' || typeof info.shape[3] === 'string';
  if (dynamicSize && !shapeGiven) throw new CliError(`input '${info.name}' ${formatShape(info.shape)} has a dynamic height or width: give the size to letterbox to with --shapes ${info.name}:1x3x640x640`);
  const [batch, , height, width] = shape;
  const boxed = letterbox(await decodeImage(file), { size: [height, width] });
  return toTensor(Array.from({ length: batch }, () => boxed.image)) as Tensor<'float32'>;
}

/**
 * One float32 tensor per engine input: from the file --input names (by extension), else random
 * values in [0, 1) of the input's shape (dynamic dimensions from --shapes, else 1).
 */
export async function prepareInputs(inputs: readonly EngineTensorInfo[], specs: readonly string[] = [], shapes: ShapeSpecs = {}): Promise<PreparedInput[]> {
  checkShapeNames(inputs, shapes);
  const files = assignFiles(inputs, specs);
  return Promise.all(
    inputs.map(async (info, index) => {
      if (info.dtype !== 'float32') throw new CliError(`input '${info.name}' is ${info.dtype}; the CLI feeds float32 inputs only`);
      const shape = runtimeShape(info, shapes);
      const file = files.get(info.name);
      if (!file) return { name: info.name, source: 'random', tensor: { dtype: 'float32', shape, data: randomFloats(elementCount(shape), index + 1) } };
      const extension = path.extname(file).toLowerCase();
      let tensor: Tensor<'float32'>;
      if (extension === '.npy') tensor = await fromNpy(file);
      else if (extension === '.bin' || extension === '.raw') tensor = await fromRaw(file, shape, info);
      else if (IMAGE_EXTENSIONS.has(extension)) tensor = await fromImage(file, shape, info, info.name in shapes);
      else throw new CliError(`${file}: unknown input file type '${extension}' (use .npy, raw float32 .bin, or a JPEG/PNG/WebP image)`);
      return { name: info.name, source: file, tensor };
    }),
  );
}

export function feeds(prepared: readonly PreparedInput[]): Record<string, Tensor<'float32'>> {
  return Object.fromEntries(prepared.map((p) => [p.name, p.tensor]));
}
