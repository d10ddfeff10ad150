/** Uniform values in [0, 1) from a fixed seed, so repeated runs and comparisons see the same data. */
export function randomFloats(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let state = (seed * 0x9e3779b9) >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    // xorshift32
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    out[i] = state / 0x100000000;
  }
  return out;
}
