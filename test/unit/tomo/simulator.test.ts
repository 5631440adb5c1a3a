// SPDX-License-Identifier: MIT
// Low-dose CT simulator: scikit-image parity on shared/data/tomogan/synthetic, Radon geometry,
// FFT and filters, Poisson statistics, determinism and bad input (phantoms: phantom.test.ts).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseNpy } from '../../../src/io/npy.js';
import { seedState } from '../../../src/rng.js';
import type { Image } from '../../../src/types.js';
import { psnr, ssim } from '../../../src/tomo/metrics.js';
import {
  anglesFor,
  fbp,
  fft,
  fourierFilter,
  phantom,
  phantomStack,
  poisson,
  radon,
  simulateLowDose,
  type PhantomKind,
  type SimulateResult,
} from '../../../src/tomo/index.js';
import { invalid } from '../../helpers/errors.js';
import { describeWithSharedData, SHARED_DATA } from '../../helpers/shared_data.js';

const SYNTH = join(SHARED_DATA, 'tomogan', 'synthetic');
const img = (n: number, data: Float32Array, depth = 1): Image => ({ width: n, height: n, depth, data });
const slice = (im: Image, z: number): Image => img(im.width, im.data.slice(z * im.width ** 2, (z + 1) * im.width ** 2));

function loadNpy(name: string): Image {
  const { shape, data } = parseNpy(new Uint8Array(readFileSync(join(SYNTH, name))), name);
  expect(shape).toEqual([256, 256]);
  return img(256, data as Float32Array);
}

/** An anti-aliased disk of radius R pixels centred on pixel (N//2, N//2) (16 × 16 point samples per pixel). */
function disk(n: number, R: number): Image {
  const c = n >> 1;
  const data = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let hits = 0;
      for (let a = 0; a < 16; a++) {
        for (let b = 0; b < 16; b++) {
          const y = i - c + (a + 0.5) / 16 - 0.5;
          const x = j - c + (b + 0.5) / 16 - 0.5;
          if (x * x + y * y <= R * R) hits++;
        }
      }
      data[i * n + j] = hits / 256;
    }
  }
  return img(n, data);
}

/** ∫ 2√(R² − s²) ds over the detector bin [t − ½, t + ½]: the chord length averaged over the bin. */
function binnedChord(t: number, R: number): number {
  const F = (s: number): number => {
    const u = Math.max(-R, Math.min(R, s));
    return u * Math.sqrt(R * R - u * u) + R * R * Math.asin(u / R);
  };
  return F(t + 0.5) - F(t - 0.5);
}

describeWithSharedData('simulator vs scikit-image 0.19 (shared/data/tomogan/synthetic, N = 256)', () => {
  let meta: { N: number; n_angles: number; pmax: number; scale_per_pixel: number; sparse_every: number };
  let ph: Image;
  let noiseFree: SimulateResult;

  beforeAll(() => {
    meta = JSON.parse(readFileSync(join(SYNTH, 'meta_256.json'), 'utf8'));
    ph = loadNpy('phantom_256.npy');
    // photons: Infinity → no noise; lowDose is then the README's noise-free sparse-view FBP, clean the full one.
    noiseFree = simulateLowDose(ph, { photons: Infinity, angles: meta.n_angles, seed: 0, pmax: meta.pmax, sparseEvery: meta.sparse_every });
  });

  it('uses the README geometry: 403 = ⌈π/2·256⌉ views, and the same scale s = pmax / max line integral', () => {
    expect(meta.n_angles).toBe(Math.ceil((Math.PI / 2) * 256));
    expect(Math.abs(noiseFree.scale / meta.scale_per_pixel - 1)).toBeLessThan(1e-6);
  });

  it('noise-free FBP matches clean_fbp_256.npy: SSIM ≥ 0.99, PSNR ≥ 35 dB (a faithful port: max |Δ| < 1e-5)', () => {
    const ref = loadNpy('clean_fbp_256.npy');
    const s = ssim(ref, noiseFree.clean, { dataRange: 1, window: 'gaussian11' });
    const p = psnr(ref, noiseFree.clean, { dataRange: 1 });
    let maxDiff = 0;
    for (let i = 0; i < ref.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ref.data[i] - noiseFree.clean.data[i]));
    console.log(`clean FBP vs clean_fbp_256.npy: SSIM ${s.toFixed(12)}, PSNR ${p.toFixed(2)} dB, max |Δ| ${maxDiff.toExponential(2)}`);
    expect(s).toBeGreaterThanOrEqual(0.99);
    expect(p).toBeGreaterThanOrEqual(35);
    expect(maxDiff).toBeLessThan(1e-5);
    // And it is as far from the phantom as skimage's is (README: 31.05 dB).
    expect(psnr(ph, noiseFree.clean, { dataRange: 1 })).toBeCloseTo(psnr(ph, ref, { dataRange: 1 }), 3);
  });

  it('sparse-view (every 32nd view) FBP matches sparse_every32_fbp_256.npy and shows streaks', () => {
    const ref = loadNpy('sparse_every32_fbp_256.npy');
    const p = psnr(ref, noiseFree.lowDose, { dataRange: 1 });
    console.log(`sparse-view FBP vs sparse_every32_fbp_256.npy: PSNR ${p.toFixed(2)} dB`);
    expect(p).toBeGreaterThan(60);
    expect(noiseFree.sinogram.angles.length).toBe(Math.ceil(meta.n_angles / 32));
    // Streaks: ≈ 13 dB against the phantom, far below the full-view FBP's ≈ 31 dB.
    expect(psnr(ph, noiseFree.lowDose, { dataRange: 1 })).toBeLessThan(psnr(ph, noiseFree.clean, { dataRange: 1 }) - 10);
  });

  it('low dose at I0 = 1000: PSNR vs phantom within 1 dB of lowdose_I0_1000_fbp_256.npy (statistics, not bytes)', () => {
    const ref = loadNpy('lowdose_I0_1000_fbp_256.npy');
    const want = psnr(ph, ref, { dataRange: 1 });
    const t0 = performance.now();
    const r = simulateLowDose(ph, { photons: 1000, angles: meta.n_angles, seed: 20240601, pmax: meta.pmax });
    const ms = performance.now() - t0;
    const got = psnr(ph, r.lowDose, { dataRange: 1 });
    console.log(`low dose I0=1000: PSNR vs phantom ${got.toFixed(2)} dB (skimage/numpy ${want.toFixed(2)} dB); simulateLowDose ${ms.toFixed(0)} ms`);
    expect(want).toBeCloseTo(25.21, 1);
    expect(Math.abs(got - want)).toBeLessThan(1);
    expect(r.clean.data).toEqual(noiseFree.clean.data); // the noise never leaks into the target
  });

  it("phantom('shepp-logan', 256) is close to scikit-image's rescaled shepp_logan_phantom (PSNR > 27 dB, SSIM > 0.98)", () => {
    const ours = phantom('shepp-logan', 256);
    const p = psnr(ph, ours, { dataRange: 1 });
    const s = ssim(ph, ours, { dataRange: 1, window: 'gaussian11' });
    console.log(`shepp-logan phantom vs phantom_256.npy: PSNR ${p.toFixed(2)} dB, SSIM ${s.toFixed(4)}`);
    expect(p).toBeGreaterThan(27);
    expect(s).toBeGreaterThan(0.98);
  });
});

describe('radon', () => {
  it('of a centred disk gives the chord lengths 2√(R² − t²) (bin-averaged) at any angle, and conserves mass', () => {
    const n = 64;
    const R = 20;
    const sino = radon(disk(n, R), [0, 90, 17, 45, 133.3]);
    expect(sino.detectors).toBe(n);
    for (let a = 0; a < sino.angles.length; a++) {
      // 0° and 90° only sum pixels; oblique views also resample bilinearly, which blurs the rim by ≈ 1 px.
      const axis = a < 2;
      let mass = 0;
      for (let d = 0; d < n; d++) {
        const t = d - (n >> 1);
        const err = Math.abs(sino.data[a * n + d] - binnedChord(t, R));
        const tol = axis ? 0.05 : Math.abs(t) <= R - 2 ? 0.45 : 1; // 0.45 ≈ 1 % of the diameter
        expect(err, `angle ${sino.angles[a]}°, t = ${t}`).toBeLessThan(tol);
        mass += sino.data[a * n + d];
      }
      expect(Math.abs(mass / (Math.PI * R * R) - 1)).toBeLessThan(2e-3);
    }
  });

  it("follows scikit-image's orientation: 0° sums columns, 90° sums rows in reverse order", () => {
    const n = 8;
    const data = new Float32Array(n * n);
    for (let i = 0; i < n * n; i++) data[i] = ((i * 37) % 11) / 11;
    const sino = radon(img(n, data), [0, 90]);
    for (let x = 0; x < n; x++) {
      let col = 0;
      for (let y = 0; y < n; y++) col += data[y * n + x];
      expect(sino.data[x]).toBeCloseTo(col, 5);
      const row = 2 * (n >> 1) - x; // row_in = c − (x − c)
      let rowSum = 0;
      for (let k = 0; row < n && k < n; k++) rowSum += data[row * n + k];
      expect(sino.data[n + x]).toBeCloseTo(rowSum, 5);
    }
  });

  it('anglesFor(n) is numpy.linspace(0, 180, n, endpoint=False)', () => {
    expect(Array.from(anglesFor(4))).toEqual([0, 45, 90, 135]);
    const a = anglesFor(403);
    expect(a.length).toBe(403);
    expect(a[402]).toBe(402 * (180 / 403));
  });
});

describe('fft and FBP filters', () => {
  it('matches a direct DFT and inverts (n = 32)', () => {
    const n = 32;
    const s = seedState(5);
    const re = Float64Array.from({ length: n }, () => poisson(s, 3) - 3);
    const im = Float64Array.from({ length: n }, () => poisson(s, 2) - 2);
    const [r0, i0] = [re.slice(), im.slice()];
    fft(re, im);
    for (let k = 0; k < n; k++) {
      let sr = 0;
      let si = 0;
      for (let j = 0; j < n; j++) {
        const w = (-2 * Math.PI * j * k) / n;
        sr += r0[j] * Math.cos(w) - i0[j] * Math.sin(w);
        si += r0[j] * Math.sin(w) + i0[j] * Math.cos(w);
      }
      expect(re[k]).toBeCloseTo(sr, 10);
      expect(im[k]).toBeCloseTo(si, 10);
    }
    fft(re, im, true);
    for (let j = 0; j < n; j++) expect(re[j]).toBeCloseTo(r0[j], 12);
  });

  it('the ramp is the Kak–Slaney discrete ramp: even, ≈ 2|k|/size, small positive DC, windows only attenuate', () => {
    const size = 64;
    const ramp = fourierFilter(size, 'ramp');
    for (let k = 1; k < size; k++) expect(ramp[k]).toBeCloseTo(ramp[size - k], 12);
    expect(ramp[0]).toBeGreaterThan(0);
    expect(ramp[0]).toBeLessThan(1 / size);
    expect(Math.abs(ramp[size / 2] - 1)).toBeLessThan(0.01);
    for (let k = 1; k < size / 2; k++) expect(Math.abs(ramp[k] - (2 * k) / size)).toBeLessThan(0.02);
    for (const f of ['shepp-logan', 'cosine', 'hamming', 'hann'] as const) {
      const h = fourierFilter(size, f);
      for (let k = 0; k < size; k++) expect(h[k]).toBeLessThanOrEqual(ramp[k] + 1e-12);
    }
  });

  it('FBP of the radon transform reconstructs a smooth phantom with every filter', () => {
    const n = 64;
    const ph = phantom('smooth', n, 3);
    const sino = radon(ph, anglesFor(101));
    for (const filter of ['ramp', 'shepp-logan', 'cosine', 'hamming', 'hann'] as const) {
      const rec = fbp(sino, { filter });
      expect(psnr(ph, rec, { dataRange: 1 }), filter).toBeGreaterThan(24);
    }
  });
});

describe('poisson sampler', () => {
  // Sample mean within 5 standard errors; sample variance within 5 of its standard errors (≈ √(2/n + 1/(λn))·λ).
  it.each([0.3, 2, 9.9, 10, 37, 1000, 1e5])('mean and variance of Poisson(%s) over 20000 draws', (lambda) => {
    const n = 20000;
    const s = seedState(Math.round(lambda * 1000));
    let sum = 0;
    let sum2 = 0;
    let bad = 0;
    for (let i = 0; i < n; i++) {
      const k = poisson(s, lambda);
      if (!(Number.isInteger(k) && k >= 0)) bad++;
      sum += k;
      sum2 += k * k;
    }
    expect(bad).toBe(0);
    const mean = sum / n;
    const variance = (sum2 - n * mean * mean) / (n - 1);
    expect(Math.abs(mean - lambda)).toBeLessThan(5 * Math.sqrt(lambda / n));
    expect(Math.abs(variance / lambda - 1)).toBeLessThan(5 * Math.sqrt(2 / n + 1 / (lambda * n)));
  });

  it('has the Poisson pmf at the Knuth/PTRS switch (λ = 12) and gives 0 for λ = 0', () => {
    const n = 40000;
    const s = seedState(99);
    const counts = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const k = poisson(s, 12);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    let logPmf = -12; // ln P(0)
    for (let k = 0; k <= 24; k++) {
      if (k > 0) logPmf += Math.log(12 / k);
      const p = Math.exp(logPmf);
      expect(Math.abs((counts.get(k) ?? 0) / n - p), `P(${k})`).toBeLessThan(5 * Math.sqrt(p / n) + 1e-4);
    }
    expect(poisson(s, 0)).toBe(0);
  });
});

describe('simulateLowDose', () => {
  const small = phantom('shepp-logan', 48);
  const opts = { photons: 500, angles: 60, seed: 7 };

  it('is deterministic: same seed → same bytes; another seed → other noise, same clean target', () => {
    const a = simulateLowDose(small, opts);
    const b = simulateLowDose(small, opts);
    const c = simulateLowDose(small, { ...opts, seed: 8 });
    expect(Buffer.from(a.lowDose.data.buffer).equals(Buffer.from(b.lowDose.data.buffer))).toBe(true);
    expect(a.lowDose.data).not.toEqual(c.lowDose.data);
    expect(a.clean.data).toEqual(c.clean.data);
    expect([a.lowDose.width, a.lowDose.height, a.lowDose.depth]).toEqual([48, 48, 1]);
  });

  it('gets noisier as the dose drops, and the post-log sinogram is scaled back to phantom units', () => {
    const q = (photons: number): number => {
      const r = simulateLowDose(small, { ...opts, photons });
      return psnr(r.clean, r.lowDose, { dataRange: 1 });
    };
    const [hi, mid, lo] = [q(1e6), q(1e3), q(30)];
    expect(hi).toBeGreaterThan(mid + 10); // 1000× the photons: noise σ ∝ 1/√I0 falls ≈ 30 dB
    expect(mid).toBeGreaterThan(lo + 10);
    const r = simulateLowDose(small, { ...opts, photons: Infinity });
    const ref = radon(small, anglesFor(60));
    let peak = 0;
    for (let i = 0; i < ref.data.length; i++) peak = Math.max(peak, ref.data[i]);
    expect(r.scale).toBeCloseTo(2.5 / peak, 12);
    expect(r.sinogram.data).toEqual(ref.data);
  });

  it('sparseEvery: k keeps views 0, k, 2k, … and leaves streaks (PSNR vs phantom far below the full-view FBP)', () => {
    const r = simulateLowDose(small, { ...opts, photons: Infinity, sparseEvery: 8 });
    expect(Array.from(r.sinogram.angles)).toEqual(Array.from(anglesFor(60)).filter((_, i) => i % 8 === 0));
    expect(psnr(small, r.lowDose, { dataRange: 1 })).toBeLessThan(psnr(small, r.clean, { dataRange: 1 }) - 5);
  });

  it('simulates a 3-slice stack slice by slice: per-slice clean = FBP(radon(slice)), independent noise', () => {
    const stack = phantomStack('ellipses', 32, 3, 11);
    const r = simulateLowDose(stack, { photons: 200, angles: 40, seed: 3 });
    expect([r.lowDose.depth, r.clean.depth, r.sinograms.length]).toEqual([3, 3, 3]);
    for (let z = 0; z < 3; z++) {
      const expected = fbp(radon(stack, anglesFor(40), z));
      expect(slice(r.clean, z).data).toEqual(expected.data);
    }
    const noise = (z: number): Float32Array => slice(r.lowDose, z).data.map((v, i) => v - slice(r.clean, z).data[i]);
    expect(noise(0)).not.toEqual(noise(2));
  });
});

describe('bad input', () => {
  const good = phantom('shepp-logan', 16);

  it('phantom: unknown kind, bad size, depth and seed name the argument and the value', () => {
    expect(invalid(() => phantom('cube' as PhantomKind, 16)).message).toMatch(/phantom: kind.*"cube".*shepp-logan/);
    expect(invalid(() => phantom('foam', 1)).message).toMatch(/phantom: size.*got 1.*integer in \[2/);
    expect(invalid(() => phantom('foam', 2.5)).message).toMatch(/got 2\.5/);
    expect(invalid(() => phantomStack('foam', 16, 0)).message).toMatch(/phantomStack: depth.*got 0/);
    expect(invalid(() => phantom('foam', 16, 0.5)).message).toMatch(/seed.*got 0\.5.*integer/);
  });

  it('radon / fbp: non-square or non-finite images, empty angle lists, mismatched sinograms, unknown filters', () => {
    expect(invalid(() => radon({ width: 4, height: 3, depth: 1, data: new Float32Array(12) }, [0])).message).toMatch(
      /radon: image.width\/height.*got 4×3.*square/,
    );
    const nan = good.data.slice();
    nan[5] = NaN;
    expect(invalid(() => radon(img(16, nan), [0])).message).toMatch(/radon: image.data\[5\].*got NaN.*finite/);
    expect(invalid(() => radon(good, [])).message).toMatch(/radon: anglesDeg.*got an empty list.*non-empty/);
    expect(invalid(() => radon(good, [0, Infinity])).message).toMatch(/anglesDeg\[1\].*got Infinity/);
    const sino = radon(good, [0, 90]);
    expect(invalid(() => fbp({ ...sino, data: sino.data.subarray(0, 16) })).message).toMatch(/fbp: sinogram.data.*got 16 values.*2·16/);
    expect(invalid(() => fbp({ ...sino, angles: new Float64Array(0) })).message).toMatch(/fbp: sinogram.angles.*empty/);
    expect(invalid(() => fbp(sino, { filter: 'butterworth' as 'ramp' })).message).toMatch(/options.filter.*"butterworth".*ramp/);
  });

  it('simulateLowDose: I0 ≤ 0, empty or zero views, bad sparseEvery / pmax, non-finite or empty phantoms', () => {
    for (const photons of [0, -5, NaN]) {
      expect(invalid(() => simulateLowDose(good, { photons, angles: 10, seed: 1 })).message).toMatch(
        new RegExp(`options.photons: got ${photons}, expected a number > 0`),
      );
    }
    expect(invalid(() => simulateLowDose(good, { photons: 100, angles: [], seed: 1 })).message).toMatch(/options.angles.*empty list/);
    expect(invalid(() => simulateLowDose(good, { photons: 100, angles: 0, seed: 1 })).message).toMatch(/options.angles: got 0/);
    expect(invalid(() => simulateLowDose(good, { photons: 100, angles: 10, seed: 1, sparseEvery: 11 })).message).toMatch(
      /sparseEvery: got 11, expected an integer in \[1, 10\]/,
    );
    expect(invalid(() => simulateLowDose(good, { photons: 100, angles: 10, seed: 1, pmax: -1 })).message).toMatch(/pmax: got -1/);
    const inf = good.data.slice();
    inf[0] = Infinity;
    expect(invalid(() => simulateLowDose(img(16, inf), { photons: 100, angles: 10, seed: 1 })).message).toMatch(
      /simulateLowDose: phantom.data\[0\]: got Infinity/,
    );
    expect(invalid(() => simulateLowDose(img(16, new Float32Array(256)), { photons: 100, angles: 10, seed: 1 })).message).toMatch(
      /max line integral 0.*attenuates/,
    );
    expect(invalid(() => poisson(seedState(1), -1)).message).toMatch(/poisson: mean: got -1/);
  });
});
