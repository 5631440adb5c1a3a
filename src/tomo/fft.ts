// SPDX-License-Identifier: MIT
// Radix-2 complex FFT for the FBP filter: iterative, in place, decimation in time (Cooley & Tukey 1965).

import { InvalidInputError } from '../errors.js';

/** Twiddles and the bit-reversal permutation for one power-of-two size, built once and reused. */
interface Plan {
  n: number;
  cos: Float64Array;
  sin: Float64Array;
  rev: Uint32Array;
}

const plans = new Map<number, Plan>();

function plan(n: number): Plan {
  let p = plans.get(n);
  if (p) return p;
  const half = n >> 1;
  const cos = new Float64Array(half);
  const sin = new Float64Array(half);
  // Twiddles w_k = exp(−2πik/n) computed directly (not by repeated multiplication) so the error stays ~1 ulp.
  for (let k = 0; k < half; k++) {
    cos[k] = Math.cos((2 * Math.PI * k) / n);
    sin[k] = -Math.sin((2 * Math.PI * k) / n);
  }
  const rev = new Uint32Array(n);
  const bits = Math.log2(n);
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let b = 0, v = i; b < bits; b++, v >>= 1) r = (r << 1) | (v & 1);
    rev[i] = r;
  }
  p = { n, cos, sin, rev };
  plans.set(n, p);
  return p;
}

/**
 * In-place DFT of `re + i·im`: X_k = Σ_j x_j·exp(∓2πijk/n), the minus sign forward (numpy's `fft`), the plus
 * sign with `inverse`, which also divides by n (numpy's `ifft`). n = `re.length` must be a power of two.
 *
 * Cooley–Tukey radix-2 decimation in time: bit-reverse the input, then log2(n) passes of butterflies
 * (a, b) → (a + w·b, a − w·b). O(n log n); error grows like O(ε log n).
 *
 * @example
 * ```ts
 * const re = new Float64Array([1, 0, 0, 0]), im = new Float64Array(4);
 * fft(re, im); // re = [1, 1, 1, 1]
 * ```
 */
export function fft(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  if (n < 1 || (n & (n - 1)) !== 0 || im.length !== n) {
    throw new InvalidInputError('fft: re/im length', `${n}/${im.length}`, 'equal lengths, a power of two');
  }
  if (n === 1) return;
  const { cos, sin, rev } = plan(n);
  for (let i = 0; i < n; i++) {
    const j = rev[i];
    if (j > i) {
      let t = re[i];
      re[i] = re[j];
      re[j] = t;
      t = im[i];
      im[i] = im[j];
      im[j] = t;
    }
  }
  const sign = inverse ? -1 : 1;
  for (let size = 2; size <= n; size <<= 1) {
    const half = size >> 1;
    const step = n / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0, w = 0; k < half; k++, w += step) {
        const wr = cos[w];
        const wi = sign * sin[w];
        const a = start + k;
        const b = a + half;
        const tr = wr * re[b] - wi * im[b];
        const ti = wr * im[b] + wi * re[b];
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
      }
    }
  }
  if (inverse) {
    const s = 1 / n;
    for (let i = 0; i < n; i++) {
      re[i] *= s;
      im[i] *= s;
    }
  }
}
