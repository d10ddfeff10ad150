import { InvalidArgumentError } from 'commander';
import type { Dim, InputProfile } from '@kiln/core';
import { CliError } from './errors.js';

export type ShapeSpecs = Record<string, number[]>;

const EXAMPLE = 'expected name:DxDx..., e.g. images:1x3x640x640';

/**
 * Parses `name:1x3x640x640[,name2:...]` (commander calls it once per occurrence with the specs
 * gathered so far). The name ends at the last ':' so tensor names may contain colons.
 */
export function parseShapeSpecs(text: string, previous: ShapeSpecs = {}): ShapeSpecs {
  const specs: ShapeSpecs = { ...previous };
  for (const item of text.split(',')) {
    const colon = item.lastIndexOf(':');
    const name = item.slice(0, colon).trim();
    const dims = item.slice(colon + 1).trim();
    if (colon < 0 || !name) throw new InvalidArgumentError(`'${item}' names no input; ${EXAMPLE}`);
    if (!/^\d+(x\d+)*$/.test(dims)) throw new InvalidArgumentError(`'${item}' is not a shape; ${EXAMPLE}`);
    const shape = dims.split('x').map(Number);
    if (shape.some((d) => d < 1 || !Number.isSafeInteger(d))) throw new InvalidArgumentError(`'${item}' has a zero or oversized dimension`);
    specs[name] = shape;
  }
  return specs;
}

export function formatShape(shape: readonly Dim[]): string {
  return `[${shape.join(', ')}]`;
}

interface NamedShape {
  name: string;
  shape: readonly Dim[];
}

function checkAgainst(input: NamedShape, shape: number[], option: string): void {
  const fits = shape.length === input.shape.length && input.shape.every((d, i) => typeof d === 'string' || d === shape[i]);
  if (!fits) throw new CliError(`${option} gives '${input.name}' the shape ${formatShape(shape)}, which does not fit its shape ${formatShape(input.shape)}`);
}

function findInput(inputs: readonly NamedShape[], name: string, option: string): NamedShape {
  const input = inputs.find((i) => i.name === name);
  if (!input) throw new CliError(`${option} names '${name}', which is not an input (the inputs are ${inputs.map((i) => `'${i.name}'`).join(', ')})`);
  return input;
}

export interface ProfileSpecs {
  shapes?: ShapeSpecs;
  minShapes?: ShapeSpecs;
  optShapes?: ShapeSpecs;
  maxShapes?: ShapeSpecs;
}

/**
 * Build profiles from --shapes (min = opt = max) or --min/--opt/--max-shapes. A missing opt
 * takes max, then min; a missing min or max takes opt.
 */
export function resolveProfiles(inputs: readonly NamedShape[], specs: ProfileSpecs): Record<string, InputProfile> {
  const { shapes = {}, minShapes = {}, optShapes = {}, maxShapes = {} } = specs;
  const profiles: Record<string, InputProfile> = {};
  for (const [name, shape] of Object.entries(shapes)) {
    if (name in minShapes || name in optShapes || name in maxShapes) throw new CliError(`'${name}' is given both --shapes and --min/--opt/--max-shapes; use one or the other`);
    checkAgainst(findInput(inputs, name, '--shapes'), shape, '--shapes');
    profiles[name] = { min: shape, opt: shape, max: shape };
  }
  const ranged = new Set([...Object.keys(minShapes), ...Object.keys(optShapes), ...Object.keys(maxShapes)]);
  for (const name of ranged) {
    const input = findInput(inputs, name, '--min/--opt/--max-shapes');
    const opt = optShapes[name] ?? maxShapes[name] ?? minShapes[name];
    const profile = { min: minShapes[name] ?? opt, opt, max: maxShapes[name] ?? opt };
    checkAgainst(input, profile.min, '--min-shapes');
    checkAgainst(input, profile.opt, '--opt-shapes');
    checkAgainst(input, profile.max, '--max-shapes');
    const ordered = profile.min.every((d, i) => d <= profile.opt[i] && profile.opt[i] <= profile.max[i]);
    if (!ordered) throw new CliError(`the shapes of '${name}' must satisfy min <= opt <= max in every dimension`);
    profiles[name] = profile;
  }
  return profiles;
}

/** The shape to run an input with: the one --shapes gives, else its own with dynamic dims as 1. */
export function runtimeShape(input: NamedShape, specs: ShapeSpecs = {}): number[] {
  const given = specs[input.name];
  if (given) {
    checkAgainst(input, given, '--shapes');
    return given;
  }
  return input.shape.map((d) => (typeof d === 'number' ? d : 1));
}

/** Refuses --shapes entries that name no input. */
export function checkShapeNames(inputs: readonly NamedShape[], specs: ShapeSpecs = {}): void {
  for (const name of Object.keys(specs)) findInput(inputs, name, '--shapes');
}
