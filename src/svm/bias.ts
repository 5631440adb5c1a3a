// SPDX-License-Identifier: MIT
// Exact bias for fixed weights: b* = argmin_b Σ_i max(0, 1 − y_i(s_i + b)), s_i = wᵀx_i.
//
// SGD leaves the unregularised bias noisy (its objective is not strongly convex in b), and on unbalanced data such
// as ijcnn1 (90% negative) accuracy is sensitive to it. Shalev-Shwartz et al. (Pegasos, ICML 2007, §6) note that b
// can instead be optimised exactly: the loss is convex and piecewise linear in b. Each positive row adds a kink at
// 1 − s_i (its slope −1 turns 0) and each negative row one at −1 − s_i (its slope 0 turns +1), so the slope starts
// at −P (P = positive rows) and rises by one per kink: the minimum is flat between the P-th and (P+1)-th kinks
// (sorted, 1-based). We take the midpoint of that interval. Only those two order statistics are needed, so a
// quickselect (Hoare 1961) finds them in O(n) expected time instead of a full sort.

/** The hinge-optimal bias for margins `s` (without bias) and labels `y` (±1). */
export function optimalBias(s: Float64Array, y: Float32Array): number {
  const n = s.length;
  const kinks = new Float64Array(n);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    if (y[i] > 0) {
      kinks[i] = 1 - s[i];
      pos++;
    } else kinks[i] = -1 - s[i];
  }
  if (n === 0) return 0;
  if (pos === 0) return Math.min(...minMax(kinks, 0, n));
  if (pos === n) return Math.max(...minMax(kinks, 0, n));
  const lower = select(kinks, pos - 1);
  // After select, kinks[pos..n) are all >= lower: the next order statistic is their minimum.
  return (lower + minMax(kinks, pos, n)[0]) / 2;
}

function minMax(a: Float64Array, from: number, to: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = from; i < to; i++) {
    if (a[i] < lo) lo = a[i];
    if (a[i] > hi) hi = a[i];
  }
  return [lo, hi];
}

/** The k-th smallest (0-based) of `a`, partially reordering `a` so that a[k+1..] >= it. Median-of-3 Hoare select. */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    const pivot = median3(a[lo], a[mid], a[hi]);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i++] = a[j];
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

const median3 = (x: number, y: number, z: number): number => Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
