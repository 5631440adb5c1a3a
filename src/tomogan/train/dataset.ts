// SPDX-License-Identifier: MIT
// Simulated TomoGAN training / test pairs: seeded phantoms → low-dose FBP (noisy) and noise-free FBP (clean), both
// on TomoGAN's 0…255 scale (docs/tomogan.md "Training": util.scale2uint8 = 0.05/99.95 percentile clip).
import { InvalidInputError } from '../../errors.js';
import { scaleToUint8Range } from '../../io/image.js';
import { bounded, nextU32, seedState } from '../../rng.js';
import { type PhantomKind, phantom, phantomStack } from '../../tomo/phantom.js';
import type { FbpFilter } from '../../tomo/fbp.js';
import { simulateLowDose, type Reconstruction } from '../../tomo/simulate.js';
import type { Image } from '../../types.js';
import type { TrainingPair } from './train.js';

export interface SimulatedPairsOptions {
  /** Number of pairs. */
  count: number;
  /** Image side in px (default 256). */
  size?: number;
  /** Phantom kinds, drawn uniformly per pair (default ellipses, foam, smooth). */
  kinds?: readonly PhantomKind[];
  /** Incident photons I0, drawn uniformly per pair from this list (default 500, 1000, 2000, 5000). */
  photons?: readonly number[];
  /** Views over [0°, 180°) (default ⌈π/2·size⌉, about Nyquist, as the shared synthetic data). */
  angles?: number;
  /**
   * A wider distribution, drawn per pair (the training data of weights that generalise): `sizes` (image sides,
   * uniform from the list; default [size]), `views` as fractions [lo, hi] of the side, log-uniform (e.g. [0.25,
   * π/2]: from N/4 views up to about Nyquist; overrides `angles`), `photonRange` [lo, hi] log-uniform (overrides
   * `photons`), `filters` (FBP filters, uniform from the list; default ['ramp']).
   */
  sizes?: readonly number[];
  views?: readonly [number, number];
  photonRange?: readonly [number, number];
  filters?: readonly FbpFilter[];
  /**
   * Reconstructions of the noisy image, uniform from the list (default ['fbp']); a `'sirt'` pair takes
   * `sirtIterations` [lo, hi] as fractions of its side, log-uniform (default [1/32, 1/4]: 8…64 iterations at 256²),
   * since SIRT's unconverged band, and so its noise grain, scales with iterations per pixel of side.
   */
  reconstructions?: readonly Reconstruction[];
  sirtIterations?: readonly [number, number];
  /** 1, or 3 adjacent slices of a 3D phantom (the clean target is the middle slice). */
  depth?: 1 | 3;
  seed?: number;
  /** Called after each pair (simulation takes ~0.5 s per 256² pair). */
  onProgress?: (done: number, total: number) => void;
}

/** One simulated pair plus how it was made (for model cards and per-I0 reports). */
export interface SimulatedPair extends TrainingPair {
  kind: PhantomKind;
  photons: number;
  seed: number;
  /** The pair's side, views and FBP filter. */
  size: number;
  angles: number;
  filter: FbpFilter;
  /** How the noisy image was reconstructed, and with how many SIRT iterations (0 for FBP). */
  reconstruction: Reconstruction;
  sirtIterations: number;
  /** The noisy image's percentile range, applied to both images: `unscale(x, range)` gives phantom units. */
  range: { lo: number; hi: number };
}

/** Maps `img` with the linear map that took [lo, hi] to [0, 255], clipping to it (as scaleToUint8Range does). */
function mapRange(img: Image, lo: number, hi: number): Image {
  const k = hi > lo ? 255 / (hi - lo) : 0;
  const data = new Float32Array(img.data.length);
  for (let i = 0; i < data.length; i++) data[i] = (Math.min(hi, Math.max(lo, img.data[i])) - lo) * k;
  return { ...img, data };
}

/**
 * Simulates `count` seeded pairs. The noisy image is percentile-scaled as at inference (anyml denoise scales its
 * input the same way), and the clean image goes through the same map, so the network learns a map on one scale.
 */
export function simulatedPairs(opts: SimulatedPairsOptions): SimulatedPair[] {
  const { count, size = 256, kinds = ['ellipses', 'foam', 'smooth'], photons = [500, 1000, 2000, 5000], depth = 1, seed = 0 } = opts;
  checkPairsOptions(opts, count, size, kinds, photons);
  const sizes = opts.sizes ?? [size];
  const filters = opts.filters ?? ['ramp'];
  const rng = seedState(seed);
  // Log-uniform in [lo, hi]: as many pairs per factor of two in dose or views, wherever the factor sits.
  const logUniform = (lo: number, hi: number) => lo * Math.exp(Math.log(hi / lo) * (nextU32(rng) / 4294967296));
  const out: SimulatedPair[] = [];
  for (let i = 0; i < count; i++) {
    const kind = kinds[bounded(rng, kinds.length)];
    // The wide options draw only when given, so the default sequence (and the pairs) are those of before them.
    const n = opts.sizes ? sizes[bounded(rng, sizes.length)] : size;
    const I0 = opts.photonRange ? Math.round(logUniform(opts.photonRange[0], opts.photonRange[1])) : photons[bounded(rng, photons.length)];
    const angles = opts.views ? Math.max(8, Math.round(n * logUniform(opts.views[0], opts.views[1]))) : opts.angles ?? Math.ceil((Math.PI / 2) * n);
    const filter = opts.filters ? filters[bounded(rng, filters.length)] : 'ramp';
    const reconstruction = opts.reconstructions ? opts.reconstructions[bounded(rng, opts.reconstructions.length)] : 'fbp';
    const [kLo, kHi] = opts.sirtIterations ?? [1 / 32, 1 / 4];
    const sirtIterations = reconstruction === 'sirt' ? Math.max(1, Math.round(n * logUniform(kLo, kHi))) : 0;
    const s = nextU32(rng);
    const recon = { reconstruction, sirtIterations };
    out.push({ ...simulatePair(kind, n, depth, I0, angles, filter, recon, s), kind, photons: I0, seed: s, size: n, angles, filter, ...recon });
    opts.onProgress?.(i + 1, count);
  }
  return out;
}

function simulatePair(kind: PhantomKind, size: number, depth: 1 | 3, I0: number, angles: number, filter: FbpFilter, recon: { reconstruction: Reconstruction; sirtIterations: number }, s: number) {
  const ph = depth === 3 ? phantomStack(kind, size, 3, s) : phantom(kind, size, s);
  const sim = simulateLowDose(ph, { photons: I0, angles, filter, seed: s ^ 0x9e3779b9, reconstruction: recon.reconstruction, sirtIterations: recon.sirtIterations || undefined });
  const { image: noisy, lo, hi } = scaleToUint8Range(sim.lowDose);
  const cleanAll = mapRange(sim.clean, lo, hi);
  const plane = size * size;
  const mid = depth === 3 ? 1 : 0;
  const clean: Image = { width: size, height: size, depth: 1, data: cleanAll.data.slice(mid * plane, (mid + 1) * plane) };
  return { noisy, clean, range: { lo, hi } };
}

function checkPairsOptions(opts: SimulatedPairsOptions, count: number, size: number, kinds: readonly PhantomKind[], photons: readonly number[]): void {
  const w = (k: string) => `simulatedPairs: ${k}`;
  if (!Number.isInteger(count) || count < 1) throw new InvalidInputError(w('count'), String(count), 'a positive integer');
  for (const n of opts.sizes ?? [size]) if (!Number.isInteger(n) || n < 16) throw new InvalidInputError(w(opts.sizes ? 'sizes' : 'size'), String(n), 'an integer ≥ 16');
  if (!kinds.length) throw new InvalidInputError(w('kinds'), '[]', 'at least one phantom kind');
  if (!photons.length || photons.some((p) => !(p > 0))) throw new InvalidInputError(w('photons'), `[${photons}]`, 'positive photon counts');
  const range = (k: string, r: readonly number[] | undefined) => {
    if (r && !(r.length === 2 && r[0] > 0 && r[1] >= r[0] && Number.isFinite(r[1]))) throw new InvalidInputError(w(k), JSON.stringify(r), '[lo, hi] with 0 < lo ≤ hi');
  };
  range('views', opts.views);
  range('photonRange', opts.photonRange);
  if (opts.filters && !opts.filters.length) throw new InvalidInputError(w('filters'), '[]', 'at least one FBP filter');
  const recons = opts.reconstructions;
  if (recons && (!recons.length || recons.some((r) => r !== 'fbp' && r !== 'sirt'))) throw new InvalidInputError(w('reconstructions'), JSON.stringify(recons), "a non-empty list of 'fbp' and 'sirt'");
  range('sirtIterations', opts.sirtIterations);
}
