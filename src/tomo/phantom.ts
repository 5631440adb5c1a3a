// SPDX-License-Identifier: MIT
// Seeded test objects for the tomography simulator: analytic ellipsoids, spheres and Gaussians, rasterised with
// supersampling (anti-aliased) into slices, so a stack is coherent along z (slices of one 3D object).

import { InvalidInputError } from '../errors.js';
import { nextU32, seedState } from '../rng.js';
import type { Image } from '../types.js';

export type PhantomKind = 'shepp-logan' | 'ellipses' | 'foam' | 'smooth' | 'textured' | 'ct' | 'beads';

export const PHANTOM_KINDS: readonly PhantomKind[] = ['shepp-logan', 'ellipses', 'foam', 'smooth', 'textured', 'ct', 'beads'];
const KINDS = PHANTOM_KINDS;

export interface PhantomOptions {
  /** Subsamples per pixel side for anti-aliasing (s² point tests per edge pixel). Default 4. */
  supersample?: number;
  /** Number of random shapes: ellipses (default 10), foam voids (default 60), Gaussians (default 12), beads (default 160). */
  count?: number;
  /** `'foam'` and `'beads'`: let voids / beads overlap (default false: rejection sampling keeps them apart). */
  overlap?: boolean;
}

/**
 * An ellipsoid in normalised coordinates (the image spans −1…1 in x (right) and y (up); z is in the same units,
 * one voxel = 2/size), rotated by `phi` radians about z. `add`: the value is added (Shepp–Logan); `paint`: it
 * replaces what is under it (alpha-blended by pixel coverage).
 */
interface Ellipsoid {
  x: number;
  y: number;
  z: number;
  a: number;
  b: number;
  c: number;
  phi: number;
  value: number;
  mode: 'add' | 'paint';
}

/**
 * Toft's modified Shepp–Logan (P. Toft, "The Radon Transform: Theory and Implementation", PhD thesis, DTU 1996,
 * table B.2; MATLAB `phantom('Modified Shepp-Logan')`; the source of scikit-image's `shepp_logan_phantom`):
 * [value, a, b, x0, y0, phi°]. Values sum to 0…1 (skull 1, brain 0.2). At 256² with 4×4 supersampling this is
 * 28.6 dB PSNR / 0.985 SSIM from scikit-image's phantom rescaled from its 400² PNG (shared/data phantom_256.npy):
 * the differences are edge pixels, where that PNG was rasterised and resampled differently.
 */
const SHEPP_LOGAN: readonly (readonly number[])[] = [
  [1, 0.69, 0.92, 0, 0, 0],
  [-0.8, 0.6624, 0.874, 0, -0.0184, 0],
  [-0.2, 0.11, 0.31, 0.22, 0, -18],
  [-0.2, 0.16, 0.41, -0.22, 0, 18],
  [0.1, 0.21, 0.25, 0, 0.35, 0],
  [0.1, 0.046, 0.046, 0, 0.1, 0],
  [0.1, 0.046, 0.046, 0, -0.1, 0],
  [0.1, 0.046, 0.023, -0.08, -0.605, 0],
  [0.1, 0.023, 0.023, 0, -0.606, 0],
  [0.1, 0.023, 0.046, 0.06, -0.605, 0],
];

/**
 * One `size` × `size` slice (the z = 0 section) of a test object, values ≈ 0…1, zero outside the reconstruction
 * circle. `seed` picks the random objects (ignored by `'shepp-logan'`).
 *
 * - `'shepp-logan'`: Toft's modified Shepp–Logan head, the phantom scikit-image ships.
 * - `'ellipses'`: a body ellipse and `count` random ellipses painted over it, values in 0…1.
 * - `'foam'`: a material disk (value 0.6…1) with `count` spherical voids, like TomoBank's foam phantoms.
 * - `'smooth'`: a sum of random 3D Gaussians, rescaled to 0…1 and cut to a disk of radius 0.9.
 * - `'textured'`: `'ellipses'` modulated by a smooth random field (± 20 %), so regions carry texture instead of
 *   flat values — flat regions teach a denoiser to flatten everything.
 * - `'ct'`: a CT-like body section: soft tissue (≈ 0.3) inside a thin dense shell (≈ 0.9, bone), low-contrast
 *   organs (0.22…0.42), a few small dense dots (vessels, calcifications) and air pockets (0).
 * - `'beads'`: a bead pack, the commonest class of beamline test sample (glass or polymer spheres set in a
 *   matrix): a matrix cylinder (0.3…0.5) holding `count` spheres of one material a little denser than it (+0.15…0.35,
 *   ± 5 % per bead), kept apart, with a few small dense grains (0.9…1) and pores (0).
 *
 * @example
 * ```ts
 * const img = phantom('foam', 256, 7); // { width: 256, height: 256, depth: 1, data: Float32Array }
 * ```
 */
export function phantom(kind: PhantomKind, size: number, seed = 0, opts: PhantomOptions = {}): Image {
  return phantomStack(kind, size, 1, seed, opts);
}

/**
 * `depth` adjacent slices of the same 3D object, voxel z-offsets (k − (depth−1)/2) for k = 0…depth−1, laid out
 * depth-major (`data[z·H·W + y·W + x]`). For odd depth the middle slice equals `phantom(kind, size, seed, opts)`.
 * Shepp–Logan becomes ellipsoids whose z semi-axis is the smaller in-plane one (our choice, not Kak & Slaney's 3D
 * table, so the middle slice stays the 2D phantom).
 *
 * @example
 * ```ts
 * const stack = phantomStack('ellipses', 128, 3, 42); // depth 3, coherent along z
 * ```
 */
export function phantomStack(kind: PhantomKind, size: number, depth = 3, seed = 0, opts: PhantomOptions = {}): Image {
  const ss = checkArgs(kind, size, depth, seed, opts);
  const data = new Float32Array(depth * size * size);
  const rng = seedState(seed);
  if (kind === 'smooth') {
    smooth(data, size, depth, rng, opts.count ?? 12, ss);
    return { width: size, height: size, depth, data };
  }
  const shapes =
    kind === 'shepp-logan' ? sheppLogan() : kind === 'ellipses' || kind === 'textured' ? ellipses(rng, opts.count ?? 10) : kind === 'ct' ? ctBody(rng, opts.count ?? 6) : kind === 'beads' ? beads(rng, opts) : foam(rng, opts);
  const acc = new Float64Array(size * size);
  for (let k = 0; k < depth; k++) {
    const z = (k - (depth - 1) / 2) * (2 / size);
    acc.fill(0);
    for (const e of shapes) rasterise(acc, size, e, z, ss);
    const o = k * size * size;
    for (let i = 0; i < acc.length; i++) data[o + i] = Math.min(1, Math.max(0, acc[i]));
  }
  if (kind === 'textured') modulate(data, size, depth, rng, ss);
  return { width: size, height: size, depth, data };
}

/** Multiplies the object by 1 + 0.4·(f − ½) for a smooth random field f in 0…1 (smooth(), 24 Gaussians). */
function modulate(data: Float32Array, n: number, depth: number, s: Uint32Array, ss: number): void {
  const field = new Float32Array(data.length);
  smooth(field, n, depth, s, 24, ss);
  for (let i = 0; i < data.length; i++) data[i] = Math.min(1, data[i] * (1 + 0.4 * (field[i] - 0.5)));
}

/**
 * A CT-like section, painted in order: body ellipse (soft tissue), a dense shell (bone) as an ellipse with a
 * slightly smaller soft-tissue ellipse painted inside it, `count` low-contrast organs, small dense dots and air.
 */
function ctBody(s: Uint32Array, count: number): Ellipsoid[] {
  const a = uniform(s, 0.65, 0.85), b = uniform(s, 0.55, 0.8), phi = uniform(s, -0.3, 0.3);
  const tissue = uniform(s, 0.26, 0.34);
  const shell = uniform(s, 0.02, 0.05);
  const e = (x: number, y: number, ea: number, eb: number, value: number, rot = phi): Ellipsoid => ({ x, y, z: 0, a: ea, b: eb, c: 10, phi: rot, value, mode: 'paint' });
  const out = [e(0, 0, a + 0.04, b + 0.04, tissue), e(0, 0, a, b, uniform(s, 0.8, 1)), e(0, 0, a - shell, b - shell, tissue)];
  for (let i = 0; i < count; i++) {
    const [x, y] = inDisk(s, 0.45);
    out.push({ ...e(x, y, uniform(s, 0.08, 0.25), uniform(s, 0.06, 0.2), uniform(s, 0.22, 0.42), uniform(s, 0, Math.PI)), c: uniform(s, 0.1, 0.3) });
  }
  for (let i = 0; i < 2 * count; i++) {
    const [x, y] = inDisk(s, 0.5);
    const r = uniform(s, 0.01, 0.035);
    out.push({ ...e(x, y, r, r, uniform(s, 0.55, 1), 0), c: r });
  }
  for (let i = 0; i < 2; i++) {
    const [x, y] = inDisk(s, 0.4);
    out.push({ ...e(x, y, uniform(s, 0.04, 0.12), uniform(s, 0.03, 0.1), 0, uniform(s, 0, Math.PI)), c: 0.1 });
  }
  return out;
}

function sheppLogan(): Ellipsoid[] {
  return SHEPP_LOGAN.map(([value, a, b, x, y, deg]) => ({
    x, y, z: 0, a, b, c: Math.min(a, b), phi: (deg * Math.PI) / 180, value, mode: 'add' as const,
  }));
}

/** Uniform in [lo, hi) from 32 random bits (plenty for geometry). */
function uniform(s: Uint32Array, lo: number, hi: number): number {
  return lo + (hi - lo) * (nextU32(s) / 4294967296);
}

/** A point uniform in the disk of radius `r` (√u radial law). */
function inDisk(s: Uint32Array, r: number): [number, number] {
  const rho = r * Math.sqrt(uniform(s, 0, 1));
  const t = uniform(s, 0, 2 * Math.PI);
  return [rho * Math.cos(t), rho * Math.sin(t)];
}

/** A body ellipse, then random ellipsoids painted over it; all stay inside radius 0.9 (inside the circle). */
function ellipses(s: Uint32Array, count: number): Ellipsoid[] {
  const a0 = uniform(s, 0.6, 0.85);
  const b0 = uniform(s, 0.6, 0.85);
  const out: Ellipsoid[] = [
    { x: 0, y: 0, z: 0, a: a0, b: b0, c: 10, phi: uniform(s, 0, Math.PI), value: uniform(s, 0.1, 0.5), mode: 'paint' },
  ];
  for (let i = 0; i < count; i++) {
    const a = uniform(s, 0.03, 0.3);
    const b = uniform(s, 0.03, 0.3);
    const c = uniform(s, 0.03, 0.3);
    const [x, y] = inDisk(s, 0.9 - Math.max(a, b));
    // |z| < c/2: every ellipsoid cuts the middle slice, and some end a few voxels away.
    const z = uniform(s, -c / 2, c / 2);
    out.push({ x, y, z, a, b, c, phi: uniform(s, 0, Math.PI), value: uniform(s, 0, 1), mode: 'paint' });
  }
  return out;
}

/** A material cylinder of radius 0.85 with spherical voids (value 0), kept apart by rejection unless `overlap`. */
function foam(s: Uint32Array, opts: PhantomOptions): Ellipsoid[] {
  const R = 0.85;
  const out: Ellipsoid[] = [{ x: 0, y: 0, z: 0, a: R, b: R, c: 10, phi: 0, value: uniform(s, 0.6, 1), mode: 'paint' }];
  const count = opts.count ?? 60;
  for (let tries = 0; out.length <= count && tries < 200 * count; tries++) {
    // Log-uniform radii 0.02…0.15: many small voids, a few large ones, as in real foams.
    const r = 0.02 * Math.exp(uniform(s, 0, Math.log(7.5)));
    const [x, y] = inDisk(s, R - r - 0.02);
    const z = uniform(s, -0.1, 0.1);
    const clear = opts.overlap || out.every((o, i) => i === 0 || Math.hypot(o.x - x, o.y - y, o.z - z) > o.a + r + 0.01);
    if (clear) out.push({ x, y, z, a: r, b: r, c: r, phi: 0, value: 0, mode: 'paint' });
  }
  return out;
}

/**
 * A bead pack: a matrix cylinder of radius 0.85, spheres of radii log-uniform in 0.012…0.06 (8…30 px at 512²) kept
 * apart by rejection unless `overlap`, then count/20 small dense grains and as many pores, painted last.
 */
function beads(s: Uint32Array, opts: PhantomOptions): Ellipsoid[] {
  const R = 0.85, matrix = uniform(s, 0.3, 0.5), bead = matrix + uniform(s, 0.15, 0.35);
  const sphere = (x: number, y: number, z: number, r: number, value: number): Ellipsoid => ({ x, y, z, a: r, b: r, c: r, phi: 0, value, mode: 'paint' });
  const out: Ellipsoid[] = [{ ...sphere(0, 0, 0, R, matrix), c: 10 }];
  const count = opts.count ?? 160;
  for (let tries = 0; out.length <= count && tries < 200 * count; tries++) {
    const r = 0.012 * Math.exp(uniform(s, 0, Math.log(5)));
    const [x, y] = inDisk(s, R - r - 0.01);
    const z = uniform(s, -r / 2, r / 2); // every bead cuts the middle slice, some only just
    const clear = opts.overlap || out.every((o, i) => i === 0 || Math.hypot(o.x - x, o.y - y, o.z - z) > o.a + r + 0.004);
    if (clear) out.push(sphere(x, y, z, r, bead * uniform(s, 0.95, 1.05)));
  }
  for (let i = 0; i < 2 * Math.ceil(count / 20); i++) {
    const r = uniform(s, 0.004, 0.012);
    const [x, y] = inDisk(s, R - 0.05);
    out.push(sphere(x, y, 0, r, i % 2 ? 0 : uniform(s, 0.9, 1)));
  }
  return out;
}

/** Adds (or paints) the z-section of `e` into `acc` with coverage from ss × ss point samples per pixel. */
function rasterise(acc: Float64Array, n: number, e: Ellipsoid, z: number, ss: number): void {
  const dz = (z - e.z) / e.c;
  if (dz * dz >= 1) return;
  const k = Math.sqrt(1 - dz * dz); // the section of an ellipsoid is the ellipse scaled by √(1 − (Δz/c)²)
  const a = e.a * k;
  const b = e.b * k;
  const cp = Math.cos(e.phi);
  const sp = Math.sin(e.phi);
  // Inside test (Toft / MATLAB phantom): ((dx·cosφ + dy·sinφ)/a)² + ((dy·cosφ − dx·sinφ)/b)² ≤ 1.
  const hx = Math.sqrt(a * a * cp * cp + b * b * sp * sp); // bounding-box half sizes
  const hy = Math.sqrt(a * a * sp * sp + b * b * cp * cp);
  const h = n / 2; // pixel j has centre x = (j + 0.5 − h)/h; row i has centre y = (h − i − 0.5)/h
  const j0 = Math.max(0, Math.floor((e.x - hx) * h + h) - 1);
  const j1 = Math.min(n - 1, Math.ceil((e.x + hx) * h + h) + 1);
  const i0 = Math.max(0, Math.floor(h - (e.y + hy) * h) - 1);
  const i1 = Math.min(n - 1, Math.ceil(h - (e.y - hy) * h) + 1);
  const inv = 1 / (ss * ss);
  for (let i = i0; i <= i1; i++) {
    for (let j = j0; j <= j1; j++) {
      let hits = 0;
      for (let si = 0; si < ss; si++) {
        const dy = (h - i - (si + 0.5) / ss) / h - e.y;
        for (let sj = 0; sj < ss; sj++) {
          const dx = (j + (sj + 0.5) / ss - h) / h - e.x;
          const u = (dx * cp + dy * sp) / a;
          const v = (dy * cp - dx * sp) / b;
          if (u * u + v * v <= 1) hits++;
        }
      }
      if (hits === 0) continue;
      const f = hits * inv;
      const p = i * n + j;
      acc[p] = e.mode === 'add' ? acc[p] + e.value * f : acc[p] * (1 - f) + e.value * f;
    }
  }
}

/**
 * A sum of `count` isotropic 3D Gaussians with amplitudes in [−1, 1], mapped linearly so the middle slice (z = 0)
 * spans 0…1 inside the disk of radius 0.9 and clipped to 0…1 (one map for every slice keeps the stack coherent),
 * then multiplied by the anti-aliased coverage of that disk. A Gaussian is separable,
 * exp(−|p − g|²/2σ²) = e_x(x)·e_y(y)·e_z(z), so a slice costs `count` multiply-adds per pixel and no exp.
 */
function smooth(data: Float32Array, n: number, depth: number, s: Uint32Array, count: number, ss: number): void {
  const h = n / 2;
  const ex = new Float64Array(count * n);
  const ey = new Float64Array(count * n);
  const gz = new Float64Array(count);
  const inv2s2 = new Float64Array(count);
  const amp = new Float64Array(count);
  for (let g = 0; g < count; g++) {
    const [x, y] = inDisk(s, 0.8);
    gz[g] = uniform(s, -0.2, 0.2);
    const sigma = uniform(s, 0.08, 0.35);
    inv2s2[g] = 1 / (2 * sigma * sigma);
    amp[g] = uniform(s, -1, 1);
    for (let j = 0; j < n; j++) ex[g * n + j] = Math.exp(-(((j + 0.5 - h) / h - x) ** 2) * inv2s2[g]);
    for (let i = 0; i < n; i++) ey[g * n + i] = Math.exp(-(((h - i - 0.5) / h - y) ** 2) * inv2s2[g]);
  }
  const field = new Float64Array(n * n);
  const slice = (z: number): void => {
    field.fill(0);
    for (let g = 0; g < count; g++) {
      const w = amp[g] * Math.exp(-((z - gz[g]) ** 2) * inv2s2[g]);
      for (let i = 0; i < n; i++) {
        const wy = w * ey[g * n + i];
        for (let j = 0, o = i * n; j < n; j++) field[o + j] += wy * ex[g * n + j];
      }
    }
  };
  const mask = new Float64Array(n * n);
  rasterise(mask, n, { x: 0, y: 0, z: 0, a: 0.9, b: 0.9, c: 10, phi: 0, value: 1, mode: 'add' }, 0, ss);
  slice(0);
  let lo = Infinity;
  let hi = -Infinity;
  for (let p = 0; p < n * n; p++) {
    if (mask[p] === 0) continue;
    lo = Math.min(lo, field[p]);
    hi = Math.max(hi, field[p]);
  }
  const span = hi > lo ? hi - lo : 1;
  for (let k = 0; k < depth; k++) {
    slice((k - (depth - 1) / 2) * (2 / n));
    for (let p = 0, o = k * n * n; p < n * n; p++) {
      if (mask[p] !== 0) data[o + p] = Math.min(1, Math.max(0, (field[p] - lo) / span)) * mask[p];
    }
  }
}

function checkArgs(kind: PhantomKind, size: number, depth: number, seed: number, opts: PhantomOptions): number {
  const fn = depth === 1 ? 'phantom' : 'phantomStack';
  if (!KINDS.includes(kind)) throw new InvalidInputError(`${fn}: kind`, JSON.stringify(kind), `one of ${KINDS.join(', ')}`);
  if (!Number.isInteger(size) || size < 2 || size > 16384) {
    throw new InvalidInputError(`${fn}: size`, String(size), 'an integer in [2, 16384]');
  }
  if (!Number.isInteger(depth) || depth < 1 || depth > 4096) {
    throw new InvalidInputError(`${fn}: depth`, String(depth), 'an integer in [1, 4096]');
  }
  if (!Number.isInteger(seed)) throw new InvalidInputError(`${fn}: seed`, String(seed), 'an integer');
  const ss = opts.supersample ?? 4;
  if (!Number.isInteger(ss) || ss < 1 || ss > 16) {
    throw new InvalidInputError(`${fn}: opts.supersample`, String(ss), 'an integer in [1, 16]');
  }
  const count = opts.count ?? 1;
  if (!Number.isInteger(count) || count < 0 || count > 10000) {
    throw new InvalidInputError(`${fn}: opts.count`, String(count), 'an integer in [0, 10000]');
  }
  return ss;
}
