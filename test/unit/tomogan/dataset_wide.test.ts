// SPDX-License-Identifier: MIT
// simulatedPairs' wide distribution (per-pair sizes, log-uniform views and dose, FBP filters): each pair records
// what it was drawn with, the draws stay in their ranges, and the default draws are unchanged by the new options.
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src/errors.js';
import { simulatedPairs } from '../../../src/tomogan/train/dataset.js';

describe('simulatedPairs: the wide distribution', () => {
  it('draws sizes, views, dose and filters per pair within their ranges, seeded', () => {
    const opts = { count: 12, sizes: [32, 48], views: [0.25, Math.PI / 2], photonRange: [200, 20000], filters: ['ramp', 'shepp-logan', 'hann'], kinds: ['ct', 'textured', 'foam'], seed: 3 } as const;
    const pairs = simulatedPairs(opts);
    for (const p of pairs) {
      expect([32, 48]).toContain(p.size);
      expect(p.noisy.width).toBe(p.size);
      expect(p.angles).toBeGreaterThanOrEqual(Math.max(8, Math.round(p.size * 0.25)));
      expect(p.angles).toBeLessThanOrEqual(Math.round(p.size * (Math.PI / 2)));
      expect(p.photons).toBeGreaterThanOrEqual(200);
      expect(p.photons).toBeLessThanOrEqual(20000);
      expect(['ramp', 'shepp-logan', 'hann']).toContain(p.filter);
    }
    expect(new Set(pairs.map((p) => p.size)).size).toBe(2);
    expect(new Set(pairs.map((p) => p.filter)).size).toBeGreaterThan(1);
    const again = simulatedPairs(opts);
    expect(again.map((p) => [p.size, p.angles, p.photons, p.filter, p.seed])).toEqual(pairs.map((p) => [p.size, p.angles, p.photons, p.filter, p.seed]));
    expect(again[5].noisy.data).toEqual(pairs[5].noisy.data);
  });

  it('without the wide options the pairs are those drawn before them (same seeds, ramp, ⌈π/2·N⌉ views)', () => {
    const pairs = simulatedPairs({ count: 3, size: 32, seed: 9 });
    expect(pairs.map((p) => [p.size, p.angles, p.filter])).toEqual(Array(3).fill([32, Math.ceil((Math.PI / 2) * 32), 'ramp']));
    // The draws of the code before the wide options (kind, I0, seed), pinned for seed 9 (their images were equal too).
    expect(pairs.map((p) => [p.kind, p.photons, p.seed])).toEqual([['ellipses', 5000, 3416842708], ['foam', 5000, 2890839427], ['foam', 500, 3475093376]]);
  });

  it('refuses bad ranges, naming the option', () => {
    expect(() => simulatedPairs({ count: 1, views: [0.5, 0.1] })).toThrow(InvalidInputError);
    expect(() => simulatedPairs({ count: 1, photonRange: [0, 10] })).toThrow(/simulatedPairs: photonRange: got \[0,10\]/);
    expect(() => simulatedPairs({ count: 1, sizes: [8] })).toThrow(/simulatedPairs: sizes: got 8/);
    expect(() => simulatedPairs({ count: 1, filters: [] })).toThrow(/simulatedPairs: filters/);
  });
});
