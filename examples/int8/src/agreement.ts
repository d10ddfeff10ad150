/** A detection as compared here: class, score and [x1, y1, x2, y2] box. */
export interface Box {
  classId: number;
  score: number;
  box: [number, number, number, number];
}

export interface Agreement {
  /** Detections of the candidate matched to a reference detection of the same class at IoU ≥ the threshold. */
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
  f1: number;
}

export function iou(a: Box['box'], b: Box['box']): number {
  const w = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const h = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = w * h;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Matches candidate detections (INT8) to reference ones (FP32) image by image, as object-detection
 * evaluation does: candidates in descending score order each take the unmatched reference of the
 * same class with the highest IoU, if that IoU reaches `threshold`.
 */
export function agreement(images: { reference: Box[]; candidate: Box[] }[], threshold = 0.5): Agreement {
  let tp = 0, fp = 0, fn = 0;
  for (const { reference, candidate } of images) {
    const taken = new Set<number>();
    for (const c of [...candidate].sort((a, b) => b.score - a.score)) {
      let best = -1, bestIou = threshold;
      reference.forEach((r, i) => {
        if (taken.has(i) || r.classId !== c.classId) return;
        const overlap = iou(c.box, r.box);
        if (overlap >= bestIou) [best, bestIou] = [i, overlap];
      });
      if (best >= 0) {
        taken.add(best);
        tp++;
      } else fp++;
    }
    fn += reference.length - taken.size;
  }
  const precision = tp + fp ? tp / (tp + fp) : 1;
  const recall = tp + fn ? tp / (tp + fn) : 1;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { truePositives: tp, falsePositives: fp, falseNegatives: fn, precision, recall, f1 };
}
