export interface Agreement {
  maxAbs: number;
  /** max |actual - expected| / |expected| over elements whose expected value is not 0. */
  maxRel: number;
  /** ||actual - expected|| / ||expected|| (Euclidean norms). */
  relL2: number;
  /** Elements outside |actual - expected| <= atol + rtol * |expected| (NumPy's allclose), NaN against a number included. */
  mismatches: number;
  /** Where the largest absolute difference is (flat index), with both values. */
  worst: { index: number; actual: number; expected: number };
}

export function agreement(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number): Agreement {
  if (actual.length !== expected.length) throw new RangeError(`cannot compare ${actual.length} values with ${expected.length}`);
  let maxAbs = 0;
  let maxRel = 0;
  let diffSquares = 0;
  let refSquares = 0;
  let mismatches = 0;
  let worstIndex = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(a) || Number.isNaN(e)) {
      if (Number.isNaN(a) !== Number.isNaN(e)) mismatches++;
      continue;
    }
    const diff = a === e ? 0 : Math.abs(a - e); // equal infinities agree
    if (diff !== 0 && !(diff <= atol + rtol * Math.abs(e))) mismatches++;
    if (diff > maxAbs) {
      maxAbs = diff;
      worstIndex = i;
    }
    if (e !== 0) maxRel = Math.max(maxRel, diff / Math.abs(e));
    diffSquares += diff * diff;
    if (Number.isFinite(e)) refSquares += e * e;
  }
  const relL2 = refSquares > 0 ? Math.sqrt(diffSquares / refSquares) : Math.sqrt(diffSquares);
  return { maxAbs, maxRel, relL2, mismatches, worst: { index: worstIndex, actual: actual[worstIndex], expected: expected[worstIndex] } };
}
