// SPDX-License-Identifier: MIT
// Halo tiling: plan invariants, reflect padding, and tiled == full-frame on random weights (docs/tomogan.md "Tiling").
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src/tomogan/backends/index.js';
import { denoise } from '../../../src/tomogan/denoise.js';
import { createGenerator } from '../../../src/tomogan/model.js';
import { padTo8, planTiles } from '../../../src/tomogan/tiling.js';
import { randomImage, relErr } from '../../helpers/tomogan.js';

beforeAll(async () => {
  await useBackend('wasm');
});

describe('planTiles', () => {
  const cases: [number, number, number, number][] = [
    [104, 136, 32, 48],
    [200, 240, 64, 56],
    [8, 8, 512, 56],
    [1024, 1024, 256, 56],
    [520, 72, 40, 50],
  ];
  for (const [H, W, tile, halo] of cases)
    it(`covers ${H}×${W} (tile ${tile}, halo ${halo}) once, on the 8-grid, with ≥ halo context or the image edge`, () => {
      const tiles = planTiles(H, W, tile, halo);
      const hits = new Uint8Array(H * W);
      const h8 = Math.ceil(halo / 8) * 8;
      for (const t of tiles) {
        for (const v of [t.y, t.x, t.h, t.w, t.cy, t.cx]) expect(v % 8).toBe(0);
        expect([t.h, t.w]).toEqual([tiles[0].h, tiles[0].w]); // same size: batchable
        expect(t.y >= 0 && t.x >= 0 && t.y + t.h <= H && t.x + t.w <= W).toBe(true);
        expect(t.cy - t.y >= h8 || t.y === 0).toBe(true);
        expect(t.cx - t.x >= h8 || t.x === 0).toBe(true);
        expect(t.y + t.h - (t.cy + t.ch) >= h8 || t.y + t.h === H).toBe(true);
        expect(t.x + t.w - (t.cx + t.cw) >= h8 || t.x + t.w === W).toBe(true);
        for (let y = t.cy; y < t.cy + t.ch; y++) for (let x = t.cx; x < t.cx + t.cw; x++) hits[y * W + x]++;
      }
      expect(hits.every((v) => v === 1)).toBe(true);
    });

  it('rejects sizes off the 8-grid and bad tile/halo', () => {
    expect(() => planTiles(100, 64, 64, 56)).toThrow(/multiples of 8/);
    expect(() => planTiles(64, 64, 0, 56)).toThrow(/tile/);
    expect(() => planTiles(64, 64, 64, -1)).toThrow(/halo/);
  });
});

describe('padTo8', () => {
  it('reflect-pads bottom and right (edge not repeated), per slice', () => {
    // 2 slices of 3×5 → 8×8
    const data = Float32Array.from({ length: 30 }, (_, i) => i);
    const p = padTo8(data, 2, 3, 5);
    expect([p.height, p.width]).toEqual([8, 8]);
    const row = (z: number, y: number) => Array.from(p.data.subarray((z * 8 + y) * 8, (z * 8 + y + 1) * 8));
    expect(row(0, 0)).toEqual([0, 1, 2, 3, 4, 3, 2, 1]);
    expect(row(0, 3)).toEqual(row(0, 1)); // reflect of row 3 about row 2
    expect(row(0, 4)).toEqual(row(0, 0));
    expect(row(0, 5)).toEqual(row(0, 1)); // period 2(n−1) = 4
    expect(row(1, 0)).toEqual([15, 16, 17, 18, 19, 18, 17, 16]);
    const one = padTo8(Float32Array.from([7]), 1, 1, 1);
    expect(Array.from(one.data)).toEqual(new Array(64).fill(7));
  });
});

describe('tiled inference == full-frame inference (random weights, wasm)', () => {
  const g1 = createGenerator({ depth: 1, seed: 21 });
  const g3 = createGenerator({ depth: 3, seed: 22 });
  // [width, height, depth, tile]; windows are smaller than the padded image so cores really are stitched.
  const cases: [number, number, 1 | 3, number][] = [
    [131, 97, 1, 48], // odd sizes: padded 136×104
    [184, 176, 1, 64],
    [120, 80, 3, 40], // 3 adjacent slices → middle slice
  ];
  for (const [w, h, d, tile] of cases) {
    const img = randomImage(w, h, d, w + h);
    const g = d === 3 ? g3 : g1;
    let full: Float32Array;
    it(`${w}×${h}×${d}: full frame`, async () => {
      const r = await denoise(img, { model: g, backend: 'wasm', tile: 4096 });
      expect(r.tiles).toBe(1);
      expect([r.image.width, r.image.height, r.image.depth]).toEqual([w, h, 1]);
      full = r.image.data;
    });
    for (const halo of [48, 56])
      it(`${w}×${h}×${d}: tile ${tile}, halo ${halo} matches within 1e-5 relative`, async () => {
        const r = await denoise(img, { model: g, backend: 'wasm', tile, halo, batch: 2 });
        expect(r.tiles).toBeGreaterThan(2);
        expect(r.warnings).toEqual([]);
        expect(relErr(r.image.data, full)).toBeLessThan(1e-5);
      });
    it(`${w}×${h}×${d}: a too-small halo (8) visibly differs (the check can fail)`, async () => {
      const r = await denoise(img, { model: g, backend: 'wasm', tile, halo: 8 });
      expect(r.warnings.join()).toMatch(/receptive-field/);
      expect(relErr(r.image.data, full)).toBeGreaterThan(1e-3);
    });
  }
});
