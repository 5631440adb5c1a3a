// SPDX-License-Identifier: MIT
// Seeded low-dose CT simulation: Beer–Lambert transmission, Poisson photon counts, log transform, FBP. The recipe
// of shared/data/tomogan/README.md "synthetic/" (scikit-image radon/iradon, pmax = 2.5), with our own RNG.

import { InvalidInputError } from '../errors.js';
import { nextU32, seedState } from '../rng.js';
import type { Image } from '../types.js';
import { fbp, type FbpFilter } from './fbp.js';
import { sirt } from './sirt.js';
import { anglesFor, checkAngles, checkSquareImage, radon, type AngleList, type Sinogram } from './radon.js';

export interface SimulateOptions {
  /** Incident photons per detector bin, I0 > 0. `Infinity` gives noise-free projections. */
  photons: number;
  /** A view count n (→ {@link anglesFor}(n), [0°, 180°)) or a list of angles in degrees. */
  angles: number | AngleList;
  /** Seeds the photon noise (xoshiro128**); slice z of a stack uses the z-th u32 drawn from `seedState(seed)`. */
  seed: number;
  /** The largest line integral after scaling (minimum transmission e^−pmax). Default 2.5. */
  pmax?: number;
  /** Keep every k-th view (0, k, 2k, …) for the low-dose image: sparse-view streaks. Default 1 (all views). */
  sparseEvery?: number;
  /** FBP filter for both reconstructions (for the clean one only with `reconstruction: 'sirt'`). Default 'ramp'. */
  filter?: FbpFilter;
  /**
   * How the low-dose image is reconstructed: `'fbp'` (default), or `'sirt'` with `sirtIterations` iterations
   * (default 100), whose noise is low-pass instead of ramp-shaped (src/tomo/sirt.ts). The clean image is FBP always.
   */
  reconstruction?: Reconstruction;
  sirtIterations?: number;
}

export type Reconstruction = 'fbp' | 'sirt';

export interface SimulateResult {
  /** FBP (or SIRT) of the noisy (and/or sparse) post-log projections, in phantom units; same size and depth as the input. */
  lowDose: Image;
  /** FBP of the noise-free, all-view projections: the training target. */
  clean: Image;
  /** What `lowDose` was reconstructed from (p̂/s, phantom units), slice 0's; one per slice in `sinograms`. */
  sinogram: Sinogram;
  sinograms: Sinogram[];
  /** s: line integrals in pixel units times s give attenuation exponents; max over the stack is `pmax`. */
  scale: number;
}

/**
 * Simulates a low-dose scan of a phantom (one slice, or a stack whose slices are scanned independently with the
 * same views). With p = s·R[f] the scaled Radon transform (s so that max p = pmax over the whole stack, as one
 * material calibration serves a whole 3D object):
 *   counts ~ Poisson(I0·e^−p),   p̂ = −ln(max(counts, 0.5) / I0),   lowDose = FBP(p̂ / s),   clean = FBP(R[f])
 * (lowDose = SIRT(p̂ / s) with `reconstruction: 'sirt'`).
 * The 0.5 floor keeps the log finite where no photon arrived. With `photons: Infinity` and `sparseEvery: k`
 * this gives the README's noise-free sparse-view reconstruction.
 *
 * @example
 * ```ts
 * const { lowDose, clean } = simulateLowDose(phantom('shepp-logan', 256), { photons: 1000, angles: 403, seed: 1 });
 * ```
 */
export function simulateLowDose(phantom: Image, options: SimulateOptions): SimulateResult {
  const n = checkSquareImage(phantom, 'simulateLowDose: phantom');
  const { angles, photons, pmax, every, filter, seed, reconstruction, sirtIterations } = checkOptions(options);
  const depth = phantom.depth;
  const full: Sinogram[] = [];
  let peak = 0;
  for (let z = 0; z < depth; z++) {
    const sino = radon(phantom, angles, z);
    for (let i = 0; i < sino.data.length; i++) if (sino.data[i] > peak) peak = sino.data[i];
    full.push(sino);
  }
  if (!(peak > 0)) {
    const expected = 'a phantom that attenuates (some positive pixels)';
    throw new InvalidInputError('simulateLowDose: phantom', `max line integral ${peak}`, expected);
  }
  const scale = pmax / peak;
  const master = seedState(seed);
  const lowDose = new Float32Array(depth * n * n);
  const clean = new Float32Array(depth * n * n);
  const sinograms: Sinogram[] = [];
  for (let z = 0; z < depth; z++) {
    const rng = seedState(nextU32(master));
    clean.set(fbp(full[z], { filter }).data, z * n * n);
    const sparse = every === 1 ? full[z] : keepEvery(full[z], every);
    const noisy = Number.isFinite(photons) ? addPhotonNoise(sparse, photons, scale, rng) : sparse;
    const low = reconstruction === 'sirt' ? sirt(noisy, { iterations: sirtIterations }) : fbp(noisy, { filter, size: n });
    lowDose.set(low.data, z * n * n);
    sinograms.push(noisy);
  }
  const image = (data: Float32Array): Image => ({ width: n, height: n, depth, data });
  return { lowDose: image(lowDose), clean: image(clean), sinogram: sinograms[0], sinograms, scale };
}

/** Views 0, k, 2k, … of a sinogram. */
function keepEvery(sino: Sinogram, k: number): Sinogram {
  const n = sino.detectors;
  const m = Math.ceil(sino.angles.length / k);
  const angles = new Float64Array(m);
  const data = new Float32Array(m * n);
  for (let a = 0; a < m; a++) {
    angles[a] = sino.angles[a * k];
    data.set(sino.data.subarray(a * k * n, (a * k + 1) * n), a * n);
  }
  return { angles, detectors: n, data };
}

/** Per bin: counts ~ Poisson(I0·exp(−s·R)), then p̂/s = −ln(max(counts, 0.5)/I0)/s, in [angle][detector] order. */
function addPhotonNoise(sino: Sinogram, i0: number, s: number, rng: Uint32Array): Sinogram {
  const out = new Float32Array(sino.data.length);
  const logI0 = Math.log(i0);
  for (let i = 0; i < out.length; i++) {
    const counts = poisson(rng, i0 * Math.exp(-s * sino.data[i]));
    out[i] = (logI0 - Math.log(Math.max(counts, 0.5))) / s;
  }
  return { angles: sino.angles, detectors: sino.detectors, data: out };
}

/** A double uniform in [0, 1) with 53 random bits from two xoshiro128** outputs. */
export function nextDouble(s: Uint32Array): number {
  const hi = nextU32(s) >>> 5; // 27 bits
  const lo = nextU32(s) >>> 6; // 26 bits
  return (hi * 67108864 + lo) / 9007199254740992;
}

/**
 * One Poisson(mean) draw, exact for every mean ≥ 0 (the algorithms numpy's `Generator.poisson` uses):
 * - mean < 10: Knuth's multiplication method (TAOCP vol. 2, §3.4.1): multiply uniforms until the product drops
 *   below e^−mean; O(mean) uniforms, so only for small means.
 * - mean ≥ 10: PTRS, transformed rejection with squeeze (W. Hörmann, "The transformed rejection method for
 *   generating Poisson random variables", Insurance: Math. & Econ. 12, 1993): O(1) expected uniforms (≈ 2.3)
 *   for any mean, and exact, unlike a normal approximation, whose skew error matters at low counts.
 *
 * @example
 * ```ts
 * const rng = seedState(1);
 * const k = poisson(rng, 1000); // ≈ 1000 ± 32
 * ```
 */
export function poisson(s: Uint32Array, mean: number): number {
  if (!(mean >= 0) || !Number.isFinite(mean)) throw new InvalidInputError('poisson: mean', String(mean), 'a finite number ≥ 0');
  if (mean === 0) return 0;
  if (mean < 10) {
    const limit = Math.exp(-mean);
    let k = 0;
    let prod = nextDouble(s);
    while (prod > limit) {
      k++;
      prod *= nextDouble(s);
    }
    return k;
  }
  const slam = Math.sqrt(mean);
  const loglam = Math.log(mean);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = nextDouble(s) - 0.5;
    const v = nextDouble(s);
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= vr) return k; // squeeze: accepted without evaluating the density
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -mean + k * loglam - logFactorial(k)) return k;
  }
}

/** ln(k!) = lnΓ(k + 1): exact sums below 7, else Stirling's series to x^−19 (as numpy's `random_loggam`). */
function logFactorial(k: number): number {
  if (k < 2) return 0;
  let x = k + 1;
  let shift = 0;
  while (x < 7) {
    shift += Math.log(x); // lnΓ(x) = lnΓ(x + 1) − ln x, up to x = 7 where the series is accurate
    x++;
  }
  const x2 = 1 / (x * x);
  let series = -1.3924322169059e0;
  for (const c of STIRLING) series = series * x2 + c;
  return series / x + 0.5 * Math.log(2 * Math.PI) + (x - 0.5) * Math.log(x) - x - shift;
}

/** Stirling series coefficients B_2j / (2j(2j−1)), j = 9 down to 1 (the j = 10 term starts the Horner loop). */
const STIRLING = [
  1.796443723688307e-1, -2.955065359477124e-2, 6.41025641025641e-3, -1.917526917526918e-3, 8.417508417508418e-4,
  -5.952380952380952e-4, 7.936507936507937e-4, -2.777777777777778e-3, 8.333333333333333e-2,
];

function checkOptions(o: SimulateOptions) {
  const where = 'simulateLowDose: options';
  const photons = o?.photons;
  if (typeof photons !== 'number' || !(photons > 0)) {
    throw new InvalidInputError(`${where}.photons`, String(photons), 'a number > 0 (incident photons I0; Infinity for no noise)');
  }
  if (typeof o.angles === 'number' && !(Number.isInteger(o.angles) && o.angles >= 1)) {
    throw new InvalidInputError(`${where}.angles`, String(o.angles), 'a view count ≥ 1 or a non-empty angle list');
  }
  const angles = typeof o.angles === 'number' ? anglesFor(o.angles) : checkAngles(o.angles, `${where}.angles`);
  const pmax = o.pmax ?? 2.5;
  if (!(pmax > 0) || !Number.isFinite(pmax)) throw new InvalidInputError(`${where}.pmax`, String(pmax), 'a finite number > 0');
  const every = o.sparseEvery ?? 1;
  if (!Number.isInteger(every) || every < 1 || every > angles.length) {
    throw new InvalidInputError(`${where}.sparseEvery`, String(every), `an integer in [1, ${angles.length}] (the view count)`);
  }
  if (!Number.isInteger(o.seed)) throw new InvalidInputError(`${where}.seed`, String(o.seed), 'an integer');
  const reconstruction = o.reconstruction ?? 'fbp';
  if (reconstruction !== 'fbp' && reconstruction !== 'sirt') throw new InvalidInputError(`${where}.reconstruction`, JSON.stringify(reconstruction), "'fbp' or 'sirt'");
  const sirtIterations = o.sirtIterations ?? 100;
  if (!Number.isInteger(sirtIterations) || sirtIterations < 1) throw new InvalidInputError(`${where}.sirtIterations`, String(sirtIterations), 'an integer ≥ 1');
  return { angles, photons, pmax, every, filter: o.filter ?? 'ramp', seed: o.seed >>> 0, reconstruction, sirtIterations };
}
