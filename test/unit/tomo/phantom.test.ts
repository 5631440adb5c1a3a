// SPDX-License-Identifier: MIT
// Phantoms: value range and support, seeded determinism, z-coherent stacks, and what 'textured', 'ct' and 'beads' contain.
import { describe, expect, it } from 'vitest';
import type { Image } from '../../../src/types.js';
import { phantom, phantomStack, type PhantomKind } from '../../../src/tomo/index.js';

const slice = (im: Image, z: number): Image => ({ width: im.width, height: im.width, depth: 1, data: im.data.slice(z * im.width ** 2, (z + 1) * im.width ** 2) });

describe('phantoms', () => {
  const kinds: PhantomKind[] = ['shepp-logan', 'ellipses', 'foam', 'smooth', 'textured', 'ct', 'beads'];

  it.each(kinds)('%s: values in [0, 1], zero outside the reconstruction circle, not blank', (kind) => {
    const n = 64;
    const p = phantom(kind, n, 5);
    expect([p.width, p.height, p.depth, p.data.length]).toEqual([n, n, 1, n * n]);
    let max = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const v = p.data[i * n + j];
        expect(v >= 0 && v <= 1).toBe(true);
        if ((i - n / 2) ** 2 + (j - n / 2) ** 2 > (n / 2) ** 2) expect(v).toBe(0);
        max = Math.max(max, v);
      }
    }
    expect(max).toBeGreaterThan(0.5);
  });

  it.each(['ellipses', 'foam', 'smooth', 'textured', 'ct', 'beads'] as const)('%s: same seed → same bytes, another seed → another object', (kind) => {
    expect(phantom(kind, 48, 1).data).toEqual(phantom(kind, 48, 1).data);
    expect(phantom(kind, 48, 1).data).not.toEqual(phantom(kind, 48, 2).data);
  });

  it("textured: the ellipses of the same seed, modulated (not flat inside a region); ct: bone, tissue and air", () => {
    const n = 128;
    const t = phantom('textured', n, 4), e = phantom('ellipses', n, 4);
    let changed = 0;
    for (let i = 0; i < t.data.length; i++) if (e.data[i] > 0.05 && Math.abs(t.data[i] / e.data[i] - 1) > 0.02) changed++;
    expect(changed).toBeGreaterThan(0.5 * e.data.filter((v) => v > 0.05).length);
    const ct = phantom('ct', n, 4).data;
    const share = (lo: number, hi: number) => ct.filter((v) => v >= lo && v <= hi).length / ct.length;
    expect(share(0.78, 1)).toBeGreaterThan(0.01); // the shell
    expect(share(0.2, 0.45)).toBeGreaterThan(0.2); // tissue and organs (the body is about a third of the square)
  });

  it('beads: one matrix level, beads of one material above it (± 5 %) covering a tenth or more, none overlapping', () => {
    const n = 256;
    for (const seed of [1, 2, 3]) {
      const b = phantom('beads', n, seed).data;
      const inside = b.filter((_, i) => ((i % n) - n / 2) ** 2 + (Math.floor(i / n) - n / 2) ** 2 < (0.8 * n / 2) ** 2);
      const hist = new Map<number, number>();
      for (const v of inside) hist.set(Math.round(v * 50), (hist.get(Math.round(v * 50)) ?? 0) + 1);
      const [matrixBin] = [...hist].reduce((m, e) => (e[1] > m[1] ? e : m));
      const matrix = matrixBin / 50;
      expect(matrix).toBeGreaterThanOrEqual(0.28);
      expect(matrix).toBeLessThanOrEqual(0.52);
      const beads = inside.filter((v) => v > matrix + 0.12 && v < 0.9).length / inside.length;
      expect(beads).toBeGreaterThan(0.1);
      expect(beads).toBeLessThan(0.5);
    }
    // Kept apart: with overlap allowed the same draws give more bead-on-bead contact, i.e. a different image.
    expect(phantom('beads', 128, 1, { overlap: true }).data).not.toEqual(phantom('beads', 128, 1).data);
  });

  it.each(kinds)('%s stack: coherent along z, middle slice = the 2D phantom', (kind) => {
    const n = kind === 'beads' ? 256 : 128; // a voxel (2/n) must be well below the smallest foam void (radius 0.02) or bead (0.012)
    const stack = phantomStack(kind, n, 3, 9);
    expect([stack.depth, stack.data.length]).toEqual([3, 3 * n * n]);
    expect(slice(stack, 1).data).toEqual(phantom(kind, n, 9).data);
    const meanAbs = (a: Float32Array, b: Float32Array): number => a.reduce((s, v, i) => s + Math.abs(v - b[i]), 0) / a.length;
    const neighbour = meanAbs(slice(stack, 0).data, slice(stack, 1).data);
    const other = meanAbs(slice(stack, 1).data, phantom(kind, n, 10).data);
    if (kind !== 'shepp-logan') expect(neighbour).toBeLessThan(other / 5);
    expect(neighbour).toBeLessThan(0.02);
  });
});
