import { closeSync, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { ImportFailure } from '../import-failure.js';
import type { StringStringEntry } from '../proto/onnx-proto.js';

/**
 * Reads a tensor's external data: `location` is relative to the folder of the model file, and may
 * not leave it (by `..`, an absolute path or a symbolic link); `offset` and `length` select bytes.
 */
export function readExternalData(entries: StringStringEntry[], modelPath: string | undefined): Uint8Array {
  const fields = new Map(entries.map((entry) => [entry.key, entry.value]));
  const location = fields.get('location');
  if (!location) throw new ImportFailure("stores its data externally but names no 'location'");
  if (modelPath === undefined) {
    throw new ImportFailure(
      `stores its data in the external file '${location}'; pass { modelPath } to parse() (or use parseFromFile) so it can be found`,
    );
  }
  const offset = parseByteCount(fields.get('offset'), 'offset') ?? 0;
  const length = parseByteCount(fields.get('length'), 'length');
  const file = resolveInside(path.dirname(path.resolve(modelPath)), location);
  return readRange(file, location, offset, length);
}

function parseByteCount(text: string | undefined, key: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new ImportFailure(`has an invalid external data ${key} '${text}'`);
  }
  return Number(text);
}

function resolveInside(folder: string, location: string): string {
  const escapes = (base: string, target: string): boolean => {
    const relative = path.relative(base, target);
    return relative === '' || relative.startsWith('..') || path.isAbsolute(relative);
  };
  const refused = () =>
    new ImportFailure(`external data location '${location}' is outside the model's folder '${folder}'; refused`);
  if (path.isAbsolute(location)) throw refused();
  const file = path.resolve(folder, location);
  if (escapes(folder, file)) throw refused();
  let realFile: string;
  try {
    realFile = realpathSync(file);
  } catch (error) {
    throw new ImportFailure(`cannot open external data file '${file}': ${(error as Error).message}`);
  }
  if (escapes(realpathSync(folder), realFile)) throw refused();
  return realFile;
}

function readRange(file: string, location: string, offset: number, length: number | undefined): Uint8Array {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const byteLength = length ?? size - offset;
    if (offset > size || offset + byteLength > size) {
      throw new ImportFailure(
        `external data '${location}' is ${size} bytes, too short for offset ${offset} and length ${byteLength}`,
      );
    }
    const bytes = new Uint8Array(byteLength);
    let done = 0;
    while (done < byteLength) {
      const read = readSync(fd, bytes, done, byteLength - done, offset + done);
      if (read === 0) break;
      done += read;
    }
    if (done !== byteLength) throw new ImportFailure(`external data '${location}' ended early`);
    return bytes;
  } finally {
    closeSync(fd);
  }
}
