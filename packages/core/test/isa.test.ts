import { describe, expect, it } from 'vitest';
import { defaultIsa, supportedIsas } from '../src/index.js';

describe('ISA dispatch', () => {
  it('always offers the scalar path and defaults to one it supports', () => {
    const isas = supportedIsas();
    expect(isas[0]).toBe('scalar');
    expect(isas).toContain(defaultIsa());
  });
});
