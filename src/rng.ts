// SPDX-License-Identifier: MIT
// Seeded PRNG shared by every engine: SplitMix32 seeding + xoshiro128** (Blackman & Vigna 2018).
// Exact u32 arithmetic so the C++ twin (cpp/svm) gives the same stream; see docs/svm-solver.md.

/** Four u32 words of xoshiro128** state from a u32 seed, via SplitMix32 (golden-ratio increments + murmur3 fmix32). */
export function seedState(seed: number): Uint32Array {
  const out = new Uint32Array(4);
  let s = seed >>> 0;
  for (let i = 0; i < 4; i++) {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    out[i] = (z ^ (z >>> 16)) >>> 0;
  }
  return out;
}

const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

/** Next u32 of xoshiro128**, advancing `s` in place. */
export function nextU32(s: Uint32Array): number {
  const r = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
  const t = (s[1] << 9) >>> 0;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 11);
  return r;
}

/** ⌊r·n / 2³²⌋ computed exactly in doubles (Lemire multiply-shift, no rejection), for 0 < n < 2³¹. */
export function bounded(s: Uint32Array, n: number): number {
  const r = nextU32(s);
  const a = r >>> 16;
  const c = r & 0xffff;
  const an = a * n;
  const q = Math.floor(an / 65536);
  const rem = an - q * 65536;
  return q + Math.floor((rem * 65536 + c * n) / 4294967296);
}

/** A seeded permutation of 0..n-1 (Fisher–Yates, same rule as the solver's epoch shuffle). */
export function permutation(n: number, seed: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  const s = seedState(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = bounded(s, i + 1);
    const tmp = p[i];
    p[i] = p[j];
    p[j] = tmp;
  }
  return p;
}
