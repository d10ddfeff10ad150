import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { KILN_VERSION } from '@kiln/core';
import { CalibrationError } from './errors.js';

/** A calibration cache's first line, `Kiln-<kilnVersion>-<method>`. */
export interface CalibrationCacheHeader {
  kilnVersion: string;
  method: string;
}

/** A parsed calibration cache: its header and a scale per tensor, in file order. */
export interface CalibrationCache {
  header: CalibrationCacheHeader;
  scales: Map<string, number>;
}

/** Scales as a map (file order = iteration order) or a plain object. */
export type ScaleTable = ReadonlyMap<string, number> | Readonly<Record<string, number>>;

const HEADER = /^Kiln-(.+)-([A-Za-z0-9_]+)$/;
const METHOD = /^[A-Za-z0-9_]+$/;
const HEX = /^[0-9a-fA-F]{8}$/;
const EXPECTED_LINE = "expected 'tensorName: xxxxxxxx', the 8 hex digits of a float32 scale";

const bits = new DataView(new ArrayBuffer(4));

/** The float32 scale as TensorRT writes it: its IEEE-754 bits, big-endian, 8 lowercase hex digits. */
export function scaleToHex(scale: number): string {
  bits.setFloat32(0, scale); // DataView is big-endian by default
  return bits.getUint32(0).toString(16).padStart(8, '0');
}

/** The float32 whose IEEE-754 bits these 8 hex digits are (big-endian). */
export function hexToScale(hex: string): number {
  bits.setUint32(0, Number.parseInt(hex, 16));
  return bits.getFloat32(0);
}

function entriesOf(scales: ScaleTable): Iterable<[string, number]> {
  return scales instanceof Map ? scales.entries() : Object.entries(scales as Record<string, number>);
}

/**
 * The text of a calibration cache in TensorRT's format: a header line `Kiln-<KILN_VERSION>-<method>`,
 * then `tensorName: xxxxxxxx` per tensor (the scale's float32 bits in hex), each line ending in
 * '\n'. Scales are written as float32, so they come back as `Math.fround(scale)`.
 */
export function formatCalibrationCache(method: string, scales: ScaleTable): string {
  if (typeof method !== 'string' || !METHOD.test(method)) {
    throw new CalibrationError(`calibration method '${String(method)}' cannot go in a cache header (letters, digits and '_' only)`);
  }
  const lines = [`Kiln-${KILN_VERSION}-${method}`];
  for (const [name, scale] of entriesOf(scales)) {
    if (typeof name !== 'string' || name.length === 0 || /[\r\n]/.test(name)) {
      throw new CalibrationError(`tensor name ${JSON.stringify(name)} cannot go in a calibration cache (empty or holds a line break)`, { tensor: name });
    }
    const f = Math.fround(scale);
    if (typeof scale !== 'number' || !(f > 0) || !Number.isFinite(f)) {
      throw new CalibrationError(`tensor '${name}': scale ${scale} is not a positive float32`, { tensor: name });
    }
    lines.push(`${name}: ${scaleToHex(f)}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Reads the text of a calibration cache (see `formatCalibrationCache`). Each tensor line is split at
 * its last ':' (tensor names may hold ':'); blank lines are skipped and '\r\n' endings accepted.
 * Throws a CalibrationError for an empty text, a missing header, or a corrupt line (naming its
 * number and the line), a scale that is not a positive finite float32, or a tensor listed twice.
 */
export function parseCalibrationCache(text: string): CalibrationCache {
  if (typeof text !== 'string' || text.replace(/^\uFEFF/, '').trim() === '') {
    throw new CalibrationError("calibration cache is empty (expected a header line 'Kiln-<version>-<method>')", { line: 1 });
  }
  const lines = text.replace(/^\uFEFF/, '').split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  const match = HEADER.exec(lines[0].trim());
  if (!match) {
    throw new CalibrationError(
      `calibration cache has no header: line 1 is ${JSON.stringify(lines[0])} (expected 'Kiln-<version>-<method>')`,
      { line: 1 },
    );
  }
  const header: CalibrationCacheHeader = { kilnVersion: match[1], method: match[2] };
  const scales = new Map<string, number>();
  for (let index = 1; index < lines.length; index++) {
    const line = lines[index];
    if (line.trim() === '') continue;
    const lineNumber = index + 1;
    const corrupt = (why: string) =>
      new CalibrationError(`calibration cache line ${lineNumber} is corrupt: ${JSON.stringify(line)} (${why})`, { line: lineNumber });
    const colon = line.lastIndexOf(':');
    if (colon <= 0) throw corrupt(EXPECTED_LINE);
    const name = line.slice(0, colon);
    const hex = line.slice(colon + 1).trim();
    if (!HEX.test(hex)) throw corrupt(EXPECTED_LINE);
    const scale = hexToScale(hex);
    if (!(scale > 0) || !Number.isFinite(scale)) throw corrupt(`scale ${scale} is not a positive finite float32`);
    if (scales.has(name)) throw corrupt(`tensor '${name}' is listed twice`);
    scales.set(name, scale);
  }
  return { header, scales };
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** Reads and parses a cache file; undefined when it does not exist. Errors name the file. */
export async function readCalibrationCache(file: string): Promise<CalibrationCache | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw new CalibrationError(`cannot read calibration cache '${file}': ${(error as Error).message}`, { file, cause: error });
  }
  try {
    return parseCalibrationCache(text);
  } catch (error) {
    const e = error as CalibrationError;
    throw new CalibrationError(`'${file}': ${e.message}`, { file, line: e.line, cause: error });
  }
}

/**
 * Writes a cache file, creating its folder. The text goes to a temporary file renamed over the
 * target, so a reader never sees half a cache.
 */
export async function writeCalibrationCache(file: string, method: string, scales: ScaleTable): Promise<void> {
  const text = formatCalibrationCache(method, scales);
  const temp = `${file}.${process.pid}.${Date.now().toString(36)}.tmp`;
  try {
    await mkdir(path.dirname(path.resolve(file)), { recursive: true });
    await writeFile(temp, text, 'utf8');
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw new CalibrationError(`cannot write calibration cache '${file}': ${(error as Error).message}`, { file, cause: error });
  }
}
