import { describe, expect, it } from 'vitest';
import { agreement } from '../src/comparison.js';
import { parseShapeSpecs, resolveProfiles, runtimeShape } from '../src/shapes.js';
import { latencyStats, tensorStats } from '../src/stats.js';

describe('shape strings', () => {
  it('parse name:DxD lists, later occurrences adding to earlier ones', () => {
    expect(parseShapeSpecs('images:1x3x640x640')).toEqual({ images: [1, 3, 640, 640] });
    expect(parseShapeSpecs('a:2x3,ns:b:7', { c: [1] })).toEqual({ c: [1], a: [2, 3], 'ns:b': [7] });
  });

  it.each(['images', 'images:', ':1x3', 'images:1x3x', 'images:1,3', 'images:1x0', 'images:-1x3', 'images:1.5'])('refuse %j', (text) => {
    expect(() => parseShapeSpecs(text)).toThrow(/names no input|is not a shape|zero or oversized/);
  });

  const inputs = [{ name: 'images', shape: ['batch', 3, 640, 640] }];

  it('make profiles from --shapes or from min/opt/max with the gaps filled', () => {
    expect(resolveProfiles(inputs, { shapes: { images: [4, 3, 640, 640] } })).toEqual({ images: { min: [4, 3, 640, 640], opt: [4, 3, 640, 640], max: [4, 3, 640, 640] } });
    expect(resolveProfiles(inputs, { minShapes: { images: [1, 3, 640, 640] }, maxShapes: { images: [8, 3, 640, 640] } })).toEqual({
      images: { min: [1, 3, 640, 640], opt: [8, 3, 640, 640], max: [8, 3, 640, 640] },
    });
    expect(() => resolveProfiles(inputs, { minShapes: { images: [8, 3, 640, 640] }, maxShapes: { images: [1, 3, 640, 640] } })).toThrow('min <= opt <= max');
    expect(() => resolveProfiles(inputs, { shapes: { images: [1, 3, 640] } })).toThrow('does not fit');
  });

  it('give dynamic dimensions 1 at run time unless --shapes says otherwise', () => {
    expect(runtimeShape(inputs[0])).toEqual([1, 3, 640, 640]);
    expect(runtimeShape(inputs[0], { images: [2, 3, 640, 640] })).toEqual([2, 3, 640, 640]);
  });
});

describe('statistics', () => {
  it('of a tensor leave NaN out and count it', () => {
    const s = tensorStats(Float32Array.of(1, 2, NaN, 3, 4));
    expect(s).toMatchObject({ min: 1, max: 4, mean: 2.5, nan: 1, inf: 0 });
    expect(s.std).toBeCloseTo(Math.sqrt(1.25), 12);
    expect(tensorStats(Float32Array.of(1e6 + 1, 1e6 + 3)).std).toBeCloseTo(1, 6);
    expect(tensorStats(Float32Array.of(NaN)).mean).toBeNaN();
  });

  it('of latencies interpolate percentiles between ranks', () => {
    const s = latencyStats([5, 1, 4, 2, 3]);
    expect(s).toEqual({ count: 5, min: 1, mean: 3, median: 3, p90: 4.6, p95: 4.8, p99: expect.closeTo(4.96, 10), max: 5 });
    expect(latencyStats([7]).p99).toBe(7);
  });
});

describe('agreement with a reference', () => {
  it('measures errors and counts values outside atol + rtol * |expected|', () => {
    const a = agreement(Float32Array.of(1, 2.5, 0, 100.05), Float32Array.of(1, 2, 0, 100), 0.01, 0.001);
    expect(a.maxAbs).toBeCloseTo(0.5, 6);
    expect(a.maxRel).toBeCloseTo(0.25, 6);
    expect(a.mismatches).toBe(1);
    expect(a.worst).toEqual({ index: 1, actual: 2.5, expected: 2 });
    expect(a.relL2).toBeCloseTo(Math.hypot(0.5, 0.05) / Math.hypot(1, 2, 100), 5);
  });

  it('counts a NaN against a number as a mismatch, and equal infinities as agreeing', () => {
    expect(agreement([NaN, Infinity], [1, Infinity], 0, 0).mismatches).toBe(1);
    expect(agreement([NaN], [NaN], 0, 0).mismatches).toBe(0);
  });
});
