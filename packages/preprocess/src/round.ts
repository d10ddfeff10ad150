/** Rounds to the nearest integer, ties to even: Python's `round`, and IEEE-754's default. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // Math.round sends ties towards +∞; pull odd results of exact ties back to the even neighbour.
  // Adding 0 turns -0 (from Math.round(-0.1)) into 0.
  return (r - x === 0.5 && r % 2 !== 0 ? r - 1 : r) + 0;
}
