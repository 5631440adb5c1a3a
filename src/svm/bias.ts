// SPDX-License-Identifier: MIT
// Exact bias for fixed weights: b* = argmin_b Σ_i max(0, 1 − y_i(s_i + b)), s_i = wᵀx_i.
//
// SGD leaves the unregularised bias noisy (its objective is not strongly convex in b), and on unbalanced data such
// as ijcnn1 (90% negative) accuracy is sensitive to it. Shalev-Shwartz et al. (Pegasos, ICML 2007, §6) note that b
// can instead be optimised exactly: the loss is convex and piecewise linear in b. Each positive row adds a kink at
// 1 − s_i (its slope −1 turns 0) and each negative row one at −1 − s_i (its slope 0 turns +1), so the slope starts
// at −P (P = positive rows) and rises by one per kink: the minimum is flat between the P-th and (P+1)-th kinks
// (sorted, 1-based). We take the midpoint of that interval. O(n log n).

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
  kinks.sort();
  if (pos === 0) return kinks[0];
  if (pos === n) return kinks[n - 1];
  return (kinks[pos - 1] + kinks[pos]) / 2;
}
