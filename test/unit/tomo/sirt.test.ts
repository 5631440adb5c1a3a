// SPDX-License-Identifier: MIT
// SIRT: converges to the object on noise-free data (to FBP's error level), is linear in the sinogram, and leaves
// low-pass (spatially correlated) noise where FBP's is nearly white — the property the training data relies on.
// simulateLowDose's reconstruction: 'sirt' and simulatedPairs' reconstructions / sirtIterations.
import { describe, expect, it } from 'vitest';
import { anglesFor, fbp, phantom, radon, simulateLowDose, sirt } from '../../../src/tomo/index.js';
import { simulatedPairs } from '../../../src/tomogan/train/dataset.js';
import { invalid } from '../../helpers/errors.js';

const rmse = (a: Float32Array, b: Float32Array) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0) / a.length);
/** Lag-1 horizontal autocorrelation of r over the central half of an n × n image. */
function lag1(r: Float32Array, n: number): number {
  let m = 0, c = 0;
  for (let i = n / 4; i < (3 * n) / 4; i++) for (let j = n / 4; j < (3 * n) / 4; j++) (m += r[i * n + j]), c++;
  m /= c;
  let v0 = 0, v1 = 0;
  for (let i = n / 4; i < (3 * n) / 4; i++) for (let j = n / 4; j < (3 * n) / 4; j++) (v0 += (r[i * n + j] - m) ** 2), (v1 += (r[i * n + j] - m) * (r[i * n + j + 1] - m));
  return v1 / v0;
}

describe('sirt', () => {
  const n = 64;
  const ph = phantom('shepp-logan', n);
  const sino = radon(ph, anglesFor(64));

  it('converges on noise-free data: the error falls with iterations and reaches about FBP\'s', () => {
    const e = [2, 10, 40, 160].map((k) => rmse(sirt(sino, { iterations: k }).data, ph.data));
    for (let i = 1; i < e.length; i++) expect(e[i]).toBeLessThan(e[i - 1]);
    expect(e[3]).toBeLessThan(1.2 * rmse(fbp(sino).data, ph.data));
    let calls = 0;
    sirt(sino, { iterations: 3, onIteration: (d, t) => (calls++, expect([d, t]).toEqual([calls, 3])) });
    expect(calls).toBe(3);
  });

  it('is linear in the sinogram and zero outside the reconstruction circle', () => {
    const a = sirt(sino, { iterations: 5 }).data;
    const b = sirt({ ...sino, data: sino.data.map((v) => 3 * v) }, { iterations: 5 }).data;
    for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(3 * a[i], 4);
    expect(a[0]).toBe(0);
    expect(a[n * n - 1]).toBe(0);
  });

  it('stopped early, leaves correlated noise (lag-1 correlation > 0.4) where FBP\'s is nearly white (< 0.2)', () => {
    const m = 128, p = phantom('ellipses', m, 3);
    const clean = radon(p, anglesFor(96));
    const noisy = simulateLowDose(p, { photons: 2000, angles: 96, seed: 1 }).sinogram;
    const diff = (x: Float32Array, y: Float32Array) => x.map((v, i) => v - y[i]);
    expect(lag1(diff(fbp(noisy).data, fbp(clean).data), m)).toBeLessThan(0.2);
    expect(lag1(diff(sirt(noisy, { iterations: 8 }).data, sirt(clean, { iterations: 8 }).data), m)).toBeGreaterThan(0.4);
  });

  it('refuses bad input, naming it', () => {
    expect(invalid(() => sirt(sino, { iterations: 0 })).message).toMatch(/sirt: options\.iterations.*got 0.*integer ≥ 1/);
    expect(invalid(() => sirt({ ...sino, detectors: 1 })).message).toMatch(/sirt: sinogram\.detectors.*got 1/);
    const bad = sino.data.slice();
    bad[7] = NaN;
    expect(invalid(() => sirt({ ...sino, data: bad })).message).toMatch(/sirt: sinogram\.data\[7\].*NaN.*finite/);
  });
});

describe("simulateLowDose reconstruction: 'sirt'", () => {
  const p = phantom('foam', 48, 2);
  const opts = { photons: 1000, angles: 40, seed: 3 };

  it('reconstructs the same noisy sinogram with SIRT; the clean target stays the FBP', () => {
    const f = simulateLowDose(p, opts);
    const s = simulateLowDose(p, { ...opts, reconstruction: 'sirt', sirtIterations: 12 });
    expect(s.sinogram.data).toEqual(f.sinogram.data);
    expect(s.clean.data).toEqual(f.clean.data);
    expect(s.lowDose.data).toEqual(sirt(f.sinogram, { iterations: 12 }).data);
    expect(invalid(() => simulateLowDose(p, { ...opts, reconstruction: 'art' as 'sirt' })).message).toMatch(/reconstruction.*"art".*'fbp' or 'sirt'/);
    expect(invalid(() => simulateLowDose(p, { ...opts, reconstruction: 'sirt', sirtIterations: 1.5 })).message).toMatch(/sirtIterations.*got 1\.5/);
  });

  it('simulatedPairs draws the reconstruction per pair and SIRT iterations log-uniform in [lo, hi]·N', () => {
    const pairs = simulatedPairs({ count: 8, size: 32, reconstructions: ['fbp', 'sirt'], sirtIterations: [1 / 16, 1 / 4], seed: 4 });
    expect(new Set(pairs.map((q) => q.reconstruction))).toEqual(new Set(['fbp', 'sirt']));
    for (const q of pairs) {
      if (q.reconstruction === 'fbp') expect(q.sirtIterations).toBe(0);
      else expect(q.sirtIterations >= 2 && q.sirtIterations <= 8).toBe(true);
    }
    expect(() => simulatedPairs({ count: 1, reconstructions: [] })).toThrow(/simulatedPairs: reconstructions/);
    expect(() => simulatedPairs({ count: 1, sirtIterations: [0.5, 0.1] })).toThrow(/simulatedPairs: sirtIterations/);
  });
});
