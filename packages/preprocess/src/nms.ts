const f = Math.fround;

/**
 * Greedy non-maximum suppression over `order` (indices into `boxes`, best score first): keeps a
 * box unless a kept box overlaps it with IoU above `iouThreshold`. `boxes` holds x1, y1, x2, y2
 * per box. IoU is computed in float32 step by step, as torchvision's `nms` does, so borderline
 * overlaps are decided the same way. Returns the kept indices in `order`'s order.
 */
export function greedyNms(boxes: Float32Array, order: ArrayLike<number>, iouThreshold: number): number[] {
  const n = order.length;
  // float32 values held in float64 arrays: the same numbers, without a conversion per load.
  const x1 = new Float64Array(n);
  const y1 = new Float64Array(n);
  const x2 = new Float64Array(n);
  const y2 = new Float64Array(n);
  const area = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const b = order[i] * 4;
    x1[i] = boxes[b];
    y1[i] = boxes[b + 1];
    x2[i] = boxes[b + 2];
    y2[i] = boxes[b + 3];
    area[i] = f(f(x2[i] - x1[i]) * f(y2[i] - y1[i]));
  }
  const suppressed = new Uint8Array(n);
  const kept: number[] = [];
  for (let i = 0; i < n; i++) {
    if (suppressed[i]) continue;
    kept.push(order[i]);
    const ix1 = x1[i];
    const iy1 = y1[i];
    const ix2 = x2[i];
    const iy2 = y2[i];
    const iarea = area[i];
    for (let j = i + 1; j < n; j++) {
      if (suppressed[j]) continue;
      // Rounding to float32 keeps the sign, so disjoint pairs are ruled out before any rounding.
      const w = (ix2 < x2[j] ? ix2 : x2[j]) - (ix1 > x1[j] ? ix1 : x1[j]);
      if (w <= 0) continue;
      const h = (iy2 < y2[j] ? iy2 : y2[j]) - (iy1 > y1[j] ? iy1 : y1[j]);
      if (h <= 0) continue;
      const inter = f(f(w) * f(h));
      if (f(inter / f(f(iarea + area[j]) - inter)) > iouThreshold) suppressed[j] = 1;
    }
  }
  return kept;
}

/**
 * Non-maximum suppression on plain arrays: `boxes` as [x1, y1, x2, y2] per box, one score per
 * box. Returns the indices of the kept boxes, highest score first.
 */
export function nonMaxSuppression(
  boxes: ArrayLike<number>,
  scores: ArrayLike<number>,
  iouThreshold: number,
): number[] {
  if (boxes.length !== scores.length * 4) {
    throw new RangeError(`nonMaxSuppression needs 4 box coordinates per score: ${boxes.length} for ${scores.length}`);
  }
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  return greedyNms(Float32Array.from(boxes), order, iouThreshold);
}
