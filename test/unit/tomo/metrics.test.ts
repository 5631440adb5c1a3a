// SPDX-License-Identifier: MIT
// MSE / PSNR / SSIM: the scikit-image oracle in ../shared/data/tomogan/ssim-reference, hand-computed cases, bad input.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNpy } from '../../../src/io/npy.js';
import type { Image } from '../../../src/types.js';
import { mse, psnr, ssim, type SsimOptions } from '../../../src/tomo/metrics.js';
import { describeWithSharedData, SHARED_DATA } from '../../helpers/shared_data.js';
import { invalid } from '../../helpers/errors.js';


/** Seeded uniform [0, 1) values (mulberry32). */
function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  return out;
}

const img = (width: number, height: number, data: Float32Array): Image => ({ width, height, depth: 1, data });

describe('mse and psnr: hand-computed', () => {
  it('MSE of [0,0,0,0] vs [0.1,0.1,0.1,0.3] is (3·0.01 + 0.09)/4 = 0.03; PSNR(dr=1) = 10·log10(1/0.03)', () => {
    const a = Float64Array.of(0, 0, 0, 0);
    const b = Float64Array.of(0.1, 0.1, 0.1, 0.3);
    expect(mse(a, b)).toBeCloseTo(0.03, 15);
    expect(psnr(a, b, { dataRange: 1 })).toBeCloseTo(10 * Math.log10(1 / 0.03), 12);
    // uint8 data with L = 255: a difference of 1 everywhere gives 20·log10(255) dB.
    expect(psnr(Uint8Array.of(10, 20, 30), Uint8Array.of(11, 21, 31), { dataRange: 255 })).toBeCloseTo(20 * Math.log10(255), 12);
  });
  it('identical images: MSE 0, PSNR +Infinity', () => {
    const a = img(3, 2, rand(6, 1));
    expect(mse(a, a)).toBe(0);
    expect(psnr(a, a, { dataRange: 1 })).toBe(Infinity);
  });
});

describe('ssim: hand-computed and invariants', () => {
  it('constant images: SSIM = (2cd + C1)/(c² + d² + C1) everywhere (variances 0), both windows', () => {
    const c = 0.25; // exact in float32
    const d = 0.625;
    const C1 = (0.01 * 1) ** 2;
    const want = (2 * c * d + C1) / (c * c + d * d + C1);
    for (const window of ['uniform7', 'gaussian11'] as const) {
      const r = ssim(img(16, 12, new Float32Array(192).fill(c)), img(16, 12, new Float32Array(192).fill(d)), { dataRange: 1, window, full: true });
      expect(r.mean).toBeCloseTo(want, 12);
      expect(r.map.every((v) => Math.abs(v - want) < 1e-12)).toBe(true);
      expect([r.width, r.height, r.map.length]).toEqual([16, 12, 192]);
    }
  });
  it('SSIM(a, a) = 1, symmetric, accepts Image, { width, height, data } and bare arrays + shape alike', () => {
    const a = rand(20 * 15, 2);
    const b = rand(20 * 15, 3);
    const o = { dataRange: 1, window: 'gaussian11' } as const;
    expect(ssim(img(20, 15, a), img(20, 15, a), o)).toBeCloseTo(1, 12);
    const ab = ssim(img(20, 15, a), img(20, 15, b), o);
    expect(ssim(img(20, 15, b), img(20, 15, a), o)).toBeCloseTo(ab, 14);
    expect(ssim({ width: 20, height: 15, data: Float64Array.from(a) }, { width: 20, height: 15, data: b }, o)).toBe(ab);
    expect(ssim(a, b, { ...o, shape: [15, 20] })).toBe(ab);
  });
  it('k1, k2 and sampleCovariance change the result as the formula says', () => {
    const a = img(9, 9, rand(81, 4));
    const b = img(9, 9, rand(81, 5));
    const base = ssim(a, b, { dataRange: 1 });
    expect(ssim(a, b, { dataRange: 1, sampleCovariance: true })).toBe(base); // uniform7 default
    expect(ssim(a, b, { dataRange: 1, sampleCovariance: false })).not.toBeCloseTo(base, 6);
    expect(ssim(a, b, { dataRange: 1, k2: 0.3 })).toBeGreaterThan(base);
  });
});

describe('bad input', () => {
  const a = img(8, 8, rand(64, 6));
  it('shape mismatch', () => {
    const e = invalid(() => ssim(a, img(8, 7, rand(56, 7)), { dataRange: 1 }));
    expect(e.message).toMatch(/ssim: b: shapes differ: got 1 × 7 × 8.*expected the same shape as a, 1 × 8 × 8/);
    expect(invalid(() => mse(Float32Array.of(1, 2), Float32Array.of(1))).where).toBe('mse: b');
    expect(invalid(() => psnr({ width: 3, height: 3, data: new Float32Array(8) }, a, { dataRange: 1 })).where).toBe('psnr: a.data');
  });
  it('NaN / Infinity: names the first bad pixel and its coordinates', () => {
    const d = rand(64, 8);
    d[19] = NaN;
    d[40] = Infinity;
    const e = invalid(() => ssim(a, img(8, 8, d), { dataRange: 1 }));
    expect(e.where).toBe('ssim: b.data[19] (z=0, y=2, x=3)');
    expect(e.got).toBe('NaN');
    const f = Float64Array.of(1, -Infinity);
    expect(invalid(() => mse(f, Float64Array.of(1, 2))).message).toMatch(/mse: a\.data\[1\].*got -Infinity, expected finite/);
  });
  it('dataRange must be finite and > 0', () => {
    for (const dataRange of [0, -1, NaN, Infinity, undefined]) {
      expect(invalid(() => ssim(a, a, { dataRange } as SsimOptions)).where).toBe('ssim: options.dataRange');
      expect(invalid(() => psnr(a, a, { dataRange } as { dataRange: number })).where).toBe('psnr: options.dataRange');
    }
  });
  it('image smaller than the window, empty images, stacks, bare arrays without shape, bad window', () => {
    expect(invalid(() => ssim(img(10, 12, rand(120, 9)), img(10, 12, rand(120, 9)), { dataRange: 1, window: 'gaussian11' })).message).toMatch(/got 12 × 10 pixels.*at least 11 × 11/);
    expect(invalid(() => mse(new Float32Array(0), new Float32Array(0))).message).toMatch(/empty image/);
    const stack = { width: 8, height: 8, depth: 2, data: rand(128, 10) };
    expect(invalid(() => ssim(stack, stack, { dataRange: 1 })).where).toBe('ssim: a.depth');
    expect(invalid(() => ssim(a.data, a.data, { dataRange: 1 })).where).toBe('ssim: options.shape');
    expect(invalid(() => ssim(a, a, { dataRange: 1, window: 'box' as 'uniform7' })).where).toBe('ssim: options.window');
  });
});

interface PairRef {
  x: string;
  y: string;
  ssim: Record<string, number>;
  ssim_maps: Record<string, string>;
  mse: number;
  psnr_dr1: number;
}

describeWithSharedData('scikit-image oracle (../shared/data/tomogan/ssim-reference)', () => {
  const dir = join(SHARED_DATA, 'tomogan', 'ssim-reference');
  const ref = JSON.parse(readFileSync(join(dir, 'ssim_reference.json'), 'utf8')) as {
    pairs: Record<string, PairRef>;
    'gaussian_kernel_1d_sigma1.5_radius5': number[];
  };
  const load = (f: string) => parseNpy(new Uint8Array(readFileSync(join(dir, f))), f);
  const image = (f: string): Image => {
    const a = load(f);
    expect(a).toMatchObject({ dtype: 'float32', shape: [64, 64] });
    return img(64, 64, a.data as Float32Array);
  };
  // The three settings of the README table, as anyml options.
  const settings: Record<string, SsimOptions> = {
    wang2004: { dataRange: 1, window: 'gaussian11' }, // gaussian_weights, sigma 1.5, population covariance
    skimage_default: { dataRange: 2, window: 'uniform7' }, // skimage 0.19 infers data_range 2 for floats
    skimage_uniform7_dr1: { dataRange: 1, window: 'uniform7' },
  };
  const worst = { mean: 0, map: 0 };

  for (const [pair, p] of Object.entries(ref.pairs)) {
    for (const [setting, opts] of Object.entries(settings)) {
      it(`${pair} / ${setting}: full map and mean within 1e-5 (float64 path: within 1e-9)`, () => {
        const r = ssim(image(p.x), image(p.y), { ...opts, full: true });
        const want = load(p.ssim_maps[setting]);
        expect(want).toMatchObject({ dtype: 'float64', shape: [64, 64] });
        let maxMap = 0;
        for (let i = 0; i < r.map.length; i++) maxMap = Math.max(maxMap, Math.abs(r.map[i] - want.data[i]));
        const errMean = Math.abs(r.mean - p.ssim[setting]);
        worst.map = Math.max(worst.map, maxMap);
        worst.mean = Math.max(worst.mean, errMean);
        expect(maxMap).toBeLessThan(1e-5);
        expect(errMean).toBeLessThan(1e-5);
        // The oracle is float64 from the same float32 data, so a float64 implementation should be far closer.
        expect(maxMap).toBeLessThan(1e-9);
        expect(errMean).toBeLessThan(1e-9);
        expect(ssim(image(p.x), image(p.y), opts)).toBe(r.mean);
      });
    }
    it(`${pair}: MSE and PSNR (dr=1) match skimage`, () => {
      expect(Math.abs(mse(image(p.x), image(p.y)) - p.mse)).toBeLessThan(1e-12);
      expect(Math.abs(psnr(image(p.x), image(p.y), { dataRange: 1 }) - p.psnr_dr1)).toBeLessThan(1e-9);
    });
  }
  it('reports the worst errors seen', () => {
    console.log(`ssim-reference: max |Δ| map ${worst.map.toExponential(2)}, mean ${worst.mean.toExponential(2)}`);
    expect(worst.map).toBeLessThan(1e-5);
  });
  it('gaussian11 taps equal the tabulated scipy kernel (checked through a delta image)', () => {
    // SSIM's μx for a centred unit impulse is the 2-D kernel; recover it from the map of (δ, 0) with C1 only.
    const taps = ref['gaussian_kernel_1d_sigma1.5_radius5'];
    const n = 23;
    const d = new Float32Array(n * n);
    d[11 * n + 11] = 1;
    // With y = 0: SSIM = C1·C2 / ((μx² + C1)(σx² + C2)); at the centre μx = w₀², σx² = w₀² − w₀⁴.
    const C1 = 1e-4;
    const C2 = 9e-4;
    const w0 = taps[5] * taps[5];
    const want = (C1 * C2) / ((w0 * w0 + C1) * (w0 - w0 * w0 + C2));
    const r = ssim(img(n, n, d), img(n, n, new Float32Array(n * n)), { dataRange: 1, window: 'gaussian11', full: true });
    expect(r.map[11 * n + 11]).toBeCloseTo(want, 14);
  });
});

describeWithSharedData('synthetic CT pairs: the SSIM (Wang) and PSNR columns of the README table', () => {
  const dir = join(SHARED_DATA, 'tomogan', 'synthetic');
  const load = (f: string, n: number): Image => {
    const a = parseNpy(new Uint8Array(readFileSync(join(dir, f))), f);
    return img(n, n, a.data as Float32Array);
  };
  const rows: Array<[string, number, number, number]> = [
    ['clean_fbp_256.npy', 256, 0.97, 31.05],
    ['lowdose_I0_1000_fbp_256.npy', 256, 0.4662, 25.21],
    ['lowdose_I0_100_fbp_256.npy', 256, 0.2588, 16.04],
    ['sparse_every32_fbp_256.npy', 256, 0.3211, 13.14],
    ['lowdose_I0_10000_fbp_1024.npy', 1024, 0.5743, 30.36],
  ];
  for (const [file, n, wantSsim, wantPsnr] of rows) {
    it(`${file} vs phantom_${n}: SSIM ${wantSsim}, PSNR ${wantPsnr} dB`, () => {
      const ph = load(`phantom_${n}.npy`, n);
      const t0 = performance.now();
      const s = ssim(ph, load(file, n), { dataRange: 1, window: 'gaussian11' });
      const ms = performance.now() - t0;
      if (n === 1024) console.log(`ssim gaussian11 1024²: ${ms.toFixed(0)} ms`);
      expect(Math.abs(s - wantSsim)).toBeLessThan(5e-5);
      expect(Math.abs(psnr(ph, load(file, n), { dataRange: 1 }) - wantPsnr)).toBeLessThan(5e-3);
    });
  }
});
