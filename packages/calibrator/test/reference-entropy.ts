/**
 * EntropyCalibration2 written out literally, one candidate at a time with whole arrays (slow and
 * obvious), to check the fast prefix-sum version against. Bin j joins level k when
 * space[k] ≤ j < space[k+1] with space = linspace(0, i, 129), as numpy's digitize does in NVIDIA's
 * pytorch-quantization, which first sets bin 0 to bin 1's count.
 */
export function referenceEntropy(histogram: ArrayLike<number>): { divergences: number[]; bins: number } {
  const n = histogram.length;
  const counts = Array.from(histogram);
  counts[0] = counts[1]; // the zero spike, as pytorch-quantization's bins[0] = bins[1]
  const divergences: number[] = [];
  for (let i = 128; i <= n; i++) {
    // P: the first i bins, the outliers folded into the last one.
    const p: number[] = [];
    for (let j = 0; j < i; j++) p.push(counts[j]);
    for (let j = i; j < n; j++) p[i - 1] += counts[j];

    // Q: the first i bins (not folded) merged into 128 levels, expanded over non-empty bins.
    const space: number[] = [];
    for (let k = 0; k <= 128; k++) space.push((k * i) / 128);
    const level: number[] = [];
    let k = 0;
    for (let j = 0; j < i; j++) {
      while (k < 127 && j >= space[k + 1]) k++;
      level.push(k);
    }
    const levelCount = new Array<number>(128).fill(0);
    const levelNonEmpty = new Array<number>(128).fill(0);
    for (let j = 0; j < i; j++) {
      if (counts[j] !== 0) {
        levelCount[level[j]] += counts[j];
        levelNonEmpty[level[j]] += 1;
      }
    }
    const q: number[] = [];
    for (let j = 0; j < i; j++) q.push(counts[j] !== 0 ? levelCount[level[j]] / levelNonEmpty[level[j]] : 0);

    const pSum = p.reduce((a, b) => a + b, 0);
    const qSum = q.reduce((a, b) => a + b, 0);
    let kl = 0;
    for (let j = 0; j < i; j++) {
      const pj = p[j] / pSum;
      const qj = q[j] / qSum;
      if (pj === 0) continue;
      if (qj === 0) {
        kl = Infinity;
        break;
      }
      kl += pj * Math.log(pj / qj);
    }
    divergences.push(kl);
  }
  const least = Math.min(...divergences);
  const bins = 128 + divergences.findIndex((d) => d <= least + 1e-12);
  return { divergences, bins };
}
