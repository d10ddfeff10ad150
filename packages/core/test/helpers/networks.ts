import { NetworkDefinition, type Tensor } from '../../src/index.js';

/** Deterministic pseudo-random floats in [-1, 1). */
export function randomFloats(n: number, seed = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

export function f32(shape: number[], seed = 1): Tensor<'float32'> {
  return { dtype: 'float32', shape, data: randomFloats(shape.reduce((a, b) => a * b, 1), seed) };
}

export function i64(values: number[]): Tensor<'int64'> {
  return { dtype: 'int64', shape: [values.length], data: BigInt64Array.from(values.map(BigInt)) };
}

/** Conv (3x3, pad 1) → Sigmoid → Mul: YOLOv5's Conv+SiLU block. */
export function convSiluNetwork(cin = 3, cout = 4, batch: number | string = 1, size = 8): NetworkDefinition {
  const n = new NetworkDefinition();
  n.addInput('x', 'float32', [batch, cin, size, size]);
  n.addConstant('w', f32([cout, cin, 3, 3], 7));
  n.addConstant('b', f32([cout], 9));
  n.addLayer({ name: 'conv', type: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['c'], attributes: { pads: [1, 1, 1, 1], strides: [1, 1], dilations: [1, 1], group: 1 } });
  n.addLayer({ name: 'sigmoid', type: 'Sigmoid', inputs: ['c'], outputs: ['s'], attributes: {} });
  n.addLayer({ name: 'mul', type: 'Mul', inputs: ['c', 's'], outputs: ['y'], attributes: {} });
  n.markOutput('y');
  return n;
}

/** Plain NCHW 2-D convolution with symmetric padding, stride 1, for checking the engine. */
export function referenceConv(x: Tensor<'float32'>, w: Tensor<'float32'>, b: Float32Array, pad: number): Float32Array {
  const [batch, cin, h, wd] = x.shape;
  const [cout, , kh, kw] = w.shape;
  const oh = h + 2 * pad - kh + 1;
  const ow = wd + 2 * pad - kw + 1;
  const out = new Float32Array(batch * cout * oh * ow);
  for (let n = 0; n < batch; n++)
    for (let co = 0; co < cout; co++)
      for (let oy = 0; oy < oh; oy++)
        for (let ox = 0; ox < ow; ox++) {
          let acc = b[co];
          for (let ci = 0; ci < cin; ci++)
            for (let ky = 0; ky < kh; ky++)
              for (let kx = 0; kx < kw; kx++) {
                const iy = oy - pad + ky;
                const ix = ox - pad + kx;
                if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                acc += x.data[((n * cin + ci) * h + iy) * wd + ix] * w.data[((co * cin + ci) * kh + ky) * kw + kx];
              }
          out[((n * cout + co) * oh + oy) * ow + ox] = acc;
        }
  return out;
}

export const silu = (v: number) => v / (1 + Math.exp(-v));

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
