import { InvalidArgumentError, Option } from 'commander';
import { parseShapeSpecs } from './shapes.js';

export function integerAtLeast(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number of at least ${min}`);
    return n;
  };
}

/** Collects repeated `--dynamic-range name=min:max` flags into one record. */
export function dynamicRangeSpec(value: string, previous: Record<string, [number, number]> = {}): Record<string, [number, number]> {
  const match = /^(.+)=([^:=]+):([^:=]+)$/.exec(value.trim());
  const [min, max] = match ? [Number(match[2]), Number(match[3])] : [NaN, NaN];
  if (!match || !Number.isFinite(min) || !Number.isFinite(max) || min > max) {
    throw new InvalidArgumentError(`expected name=min:max with min ≤ max (e.g. images=0:1), got '${value}'`);
  }
  return { ...previous, [match[1]!]: [min, max] };
}

export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number of at least 0');
  return n;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function threadsOption(): Option {
  return new Option('--threads <n>', 'engine threads, 0 = one per core (default: 0, or the plan\'s own)').argParser(integerAtLeast(0));
}

export function isaOption(): Option {
  return new Option('--isa <isa>', 'instruction-set path when building (default: the best this CPU has)').choices(['scalar', 'avx2', 'avx512']);
}

export function shapesOption(description: string): Option {
  return new Option('--shapes <specs>', description).argParser(parseShapeSpecs);
}

export function inputOption(): Option {
  return new Option('--input <name=file>', 'an input from a .npy, raw float32 .bin or image file (repeatable; name= may be left out for a model with one input)').argParser(collect);
}

export function verboseOption(): Option {
  return new Option('--verbose', "Kiln's log and stack traces on stderr");
}
