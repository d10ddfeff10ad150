import { describe, expect, it } from 'vitest';
import { decodeNpy, encodeNpy, type NpyArray } from '../src/npy.js';
import { numericValues } from '../src/values.js';

// Written by NumPy 2.4: np.save(io.BytesIO(), array) for each array below.
const NUMPY: [string, NpyArray][] = [
  [
    'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAACAPwAAAEAAAEBAAACAQAAAoEA=',
    { dtype: 'float32', shape: [2, 3], data: Float32Array.of(0, 1, 2, 3, 4, 5) },
  ],
  [
    'k05VTVBZAQB2AHsnZGVzY3InOiAnPGk4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAAAAAAAAAP7/////////AwAAAAAAAAA=',
    { dtype: 'int64', shape: [3], data: BigInt64Array.of(1n, -2n, 3n) },
  ],
  [
    'k05VTVBZAQB2AHsnZGVzY3InOiAnfHUxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDIpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAgME',
    { dtype: 'uint8', shape: [2, 2], data: Uint8Array.of(1, 2, 3, 4) },
  ],
  [
    'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAACBA',
    { dtype: 'float32', shape: [], data: Float32Array.of(2.5) },
  ],
  [
    'k05VTVBZAQB2AHsnZGVzY3InOiAnPGYyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAPgDA/3s=',
    { dtype: 'float16', shape: [3], data: Uint16Array.of(0x3e00, 0xc000, 0x7bff) },
  ],
  [
    'k05VTVBZAQB2AHsnZGVzY3InOiAnfGkxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAqAfw==',
    { dtype: 'int8', shape: [2], data: Int8Array.of(-128, 127) },
  ],
  [
    'k05VTVBZAQB2AHsnZGVzY3InOiAnfGIxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAAE=',
    { dtype: 'bool', shape: [3], data: Uint8Array.of(1, 0, 1) },
  ],
];

describe('.npy', () => {
  it.each(NUMPY.map(([b64, array]) => [array.dtype, array.shape.length, b64, array] as const))('writes %s rank %i byte for byte as NumPy does, and reads it back', (_dtype, _rank, b64, array) => {
    const numpy = new Uint8Array(Buffer.from(b64, 'base64'));
    expect(encodeNpy(array)).toEqual(numpy);
    expect(decodeNpy(numpy)).toEqual(array);
  });

  it('round-trips float32, int64 and uint8 extremes, with the data 64-byte aligned', () => {
    const arrays: NpyArray[] = [
      { dtype: 'float32', shape: [1, 4], data: Float32Array.of(-1.5, NaN, Infinity, 3e-40) },
      { dtype: 'int64', shape: [2, 1], data: BigInt64Array.of(-(2n ** 63n), 2n ** 63n - 1n) },
      { dtype: 'uint8', shape: [3], data: Uint8Array.of(0, 255, 7) },
      { dtype: 'float64', shape: [2], data: Float64Array.of(Math.PI, -0) },
      { dtype: 'int32', shape: [0, 5], data: new Int32Array(0) },
    ];
    for (const array of arrays) {
      const encoded = encodeNpy(array);
      expect((encoded.length - array.data.byteLength) % 64).toBe(0);
      expect(decodeNpy(encoded)).toEqual(array);
    }
  });

  it('reads version 2 headers and data at any offset', () => {
    const dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n";
    const header = new Uint8Array(12 + dict.length);
    header.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0]);
    new DataView(header.buffer).setUint32(8, dict.length, true);
    header.set(Buffer.from(dict, 'latin1'), 12);
    const file = new Uint8Array([...header, ...new Uint8Array(Float32Array.of(1.25, -8).buffer)]);
    expect(decodeNpy(file)).toEqual({ dtype: 'float32', shape: [2], data: Float32Array.of(1.25, -8) });
  });

  it('refuses what it cannot read, naming why', () => {
    const good = encodeNpy({ dtype: 'float32', shape: [2], data: Float32Array.of(1, 2) });
    const patch = (from: string, to: string) => new Uint8Array(Buffer.from(Buffer.from(good).toString('latin1').replace(from, to), 'latin1'));
    expect(() => decodeNpy(new Uint8Array(16), 'x.npy')).toThrow('x.npy is not a readable .npy file: it does not start with \\x93NUMPY');
    expect(() => decodeNpy(patch("'<f4'", "'>f4'"))).toThrow("dtype '>f4' is not supported");
    expect(() => decodeNpy(patch("'fortran_order': False", "'fortran_order': True "))).toThrow('Fortran-ordered arrays are not supported');
    expect(() => decodeNpy(good.subarray(0, good.length - 1))).toThrow('needs 8 bytes of data, the file has 7');
  });

  it('refuses data that does not match the dtype or the shape when writing', () => {
    expect(() => encodeNpy({ dtype: 'float32', shape: [2, 2], data: Float32Array.of(1, 2, 3) })).toThrow('shape [2, 2] needs 4 values, got 3');
    expect(() => encodeNpy({ dtype: 'int64', shape: [1], data: Float64Array.of(1) })).toThrow('int64 data must be a BigInt64Array');
  });

  it('gives any dtype as numbers', () => {
    expect(Array.from(numericValues(NUMPY[4][1]))).toEqual([1.5, -2, 65504]);
    expect(Array.from(numericValues(NUMPY[1][1]))).toEqual([1, -2, 3]);
  });
});
