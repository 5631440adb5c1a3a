// SPDX-License-Identifier: MIT
// Golden outputs of the solver RNG for seed 42. cpp/tests/rng_test.cc pins the same numbers for cpp/svm/rng.h.
import { describe, expect, it } from 'vitest';
import { bounded, nextU32, seedState } from '../../src/rng.js';

describe('rng (SplitMix32 → xoshiro128**)', () => {
  it('seed 42 gives the pinned state and outputs', () => {
    const s = seedState(42);
    expect(Array.from(s)).toEqual([939911724, 3948730756, 321366731, 3317318717]);
    expect(Array.from({ length: 8 }, () => nextU32(s))).toEqual([
      2837322924, 544945897, 479756282, 3500138142, 339756180, 113173290, 65323186, 1112262688,
    ]);
    expect(Array.from({ length: 8 }, () => bounded(s, 10))).toEqual([8, 3, 1, 4, 9, 9, 7, 7]);
    expect(Array.from({ length: 4 }, () => bounded(s, 4294967295))).toEqual([2132581467, 3088945546, 2296110747, 445720660]);
  });

  it('bounded(n) equals floor(r·n / 2^32) computed with BigInt', () => {
    const a = seedState(7), b = seedState(7);
    for (const n of [1, 2, 3, 1000, 65535, 65536, 65537, 2 ** 31 - 1, 2 ** 32 - 1, 2 ** 32]) {
      for (let i = 0; i < 50; i++) {
        const r = BigInt(nextU32(b));
        expect(bounded(a, n)).toBe(Number((r * BigInt(n)) >> 32n));
      }
    }
  });

  it('seed 0 still gives a non-zero state', () => {
    expect(Array.from(seedState(0)).some((w) => w !== 0)).toBe(true);
  });
});
