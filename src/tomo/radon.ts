// SPDX-License-Identifier: MIT
// Parallel-beam Radon transform, a port of scikit-image 0.19 `radon(image, theta, circle=True)`: rotate the image
// with a bilinear `warp`, then sum along the rows. Kak & Slaney, "Principles of Computerized Tomographic Imaging",
// IEEE Press 1988, ch. 3.

import { InvalidInputError } from '../errors.js';
import type { Image } from '../types.js';

/**
 * A parallel-beam sinogram, laid out [angle][detector]: the line integral for view `a` at detector `d` is
 * `data[a * detectors + d]`. `angles` are in degrees. The rotation axis is at detector `detectors >> 1`.
 */
export interface Sinogram {
  angles: Float64Array;
  detectors: number;
  data: Float32Array;
}

/** Angle lists accepted wherever views are chosen: degrees. */
export type AngleList = readonly number[] | Float64Array;

/**
 * `n` views equally spaced over [0°, 180°): `numpy.linspace(0, 180, n, endpoint=False)`, i.e. `i · (180/n)`.
 *
 * @example
 * ```ts
 * anglesFor(4); // Float64Array [0, 45, 90, 135]
 * ```
 */
export function anglesFor(n: number): Float64Array {
  if (!Number.isInteger(n) || n < 1) throw new InvalidInputError('anglesFor: n', String(n), 'an integer ≥ 1');
  const step = 180 / n; // numpy's linspace multiplies by the step rather than dividing per sample
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = i * step;
  return out;
}

/** Checks an angle list (non-empty, finite) and copies it into a Float64Array of degrees. */
export function checkAngles(angles: unknown, where: string): Float64Array {
  const ok = Array.isArray(angles) || angles instanceof Float64Array;
  const list = ok ? (angles as AngleList) : [];
  if (!ok || list.length === 0) {
    const got = ok ? 'an empty list' : typeof angles;
    throw new InvalidInputError(where, got, 'a non-empty list of angles in degrees');
  }
  const out = Float64Array.from(list);
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i])) throw new InvalidInputError(`${where}[${i}]`, String(list[i]), 'a finite angle in degrees');
  }
  return out;
}

/**
 * Checks that `image` is a square stack of finite pixels (size ≥ 2) and returns its size. The tomography code
 * needs square slices: scikit-image's `circle=True` would crop to the inscribed square, we refuse instead.
 */
export function checkSquareImage(image: Image, where: string): number {
  const { width: w, height: h, depth: d, data } = image ?? ({} as Image);
  if (!Number.isInteger(w) || !Number.isInteger(h) || w !== h || w < 2) {
    throw new InvalidInputError(`${where}.width/height`, `${w}×${h}`, 'a square image of integer size ≥ 2');
  }
  if (!Number.isInteger(d) || d < 1) throw new InvalidInputError(`${where}.depth`, String(d), 'an integer ≥ 1');
  if (!(data instanceof Float32Array) || data.length !== w * h * d) {
    const got = data instanceof Float32Array ? `${data.length} values` : describe(data);
    throw new InvalidInputError(`${where}.data`, got, `a Float32Array of ${w}·${h}·${d} = ${w * h * d} values`);
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new InvalidInputError(`${where}.data[${i}]`, String(data[i]), 'finite pixel values');
    }
  }
  return w;
}

/**
 * Checks a [angle][detector] sinogram (≥ 2 detectors, finite angles, finite Float32Array data of the right length)
 * for the reconstructions, naming it `where` (e.g. 'fbp: sinogram'); returns the detector count and the angles.
 */
export function checkSinogram(sino: Sinogram, where: string): { n: number; angles: Float64Array } {
  const n = sino?.detectors;
  if (!Number.isInteger(n) || n < 2) throw new InvalidInputError(`${where}.detectors`, String(n), 'an integer ≥ 2');
  const angles = checkAngles(sino.angles, `${where}.angles`);
  const data = sino.data;
  if (!(data instanceof Float32Array) || data.length !== angles.length * n) {
    const got = data instanceof Float32Array ? `${data.length} values` : String(data);
    throw new InvalidInputError(`${where}.data`, got, `a Float32Array of ${angles.length}·${n} values ([angle][detector])`);
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new InvalidInputError(`${where}.data[${i}]`, String(data[i]), 'finite values');
  }
  return { n, angles };
}

/** A short description of a value of the wrong type, for error messages. */
function describe(v: unknown): string {
  return v === null || typeof v !== 'object' ? String(v) : (v.constructor?.name ?? 'object');
}

/**
 * The Radon transform of slice `slice` of a square image: for each angle θ, the image is rotated about pixel
 * (N//2, N//2) and its columns are summed, exactly as scikit-image does with
 * `warp(image, R, clip=False).sum(0)` where R maps output (x=col, y=row) to input
 *   col_in = c + cos θ·(x − c) + sin θ·(y − c),   row_in = c − sin θ·(x − c) + cos θ·(y − c),   c = N//2,
 * and the warp samples bilinearly with zeros outside the image (mode='constant', cval=0, order=1).
 * Detector x therefore measures the line {u = x − c} with u = cos θ·(col − c) − sin θ·(row − c).
 *
 * Pixels outside the inscribed circle should be zero (scikit-image's `circle=True` assumption); they are not
 * rejected, but rays then miss part of them at oblique angles.
 *
 * @example
 * ```ts
 * const sino = radon(phantom('shepp-logan', 128), anglesFor(180)); // 180 views × 128 detectors
 * ```
 */
export function radon(image: Image, anglesDeg: AngleList, slice = 0): Sinogram {
  const n = checkSquareImage(image, 'radon: image');
  const angles = checkAngles(anglesDeg, 'radon: anglesDeg');
  if (!Number.isInteger(slice) || slice < 0 || slice >= image.depth) {
    throw new InvalidInputError('radon: slice', String(slice), `an integer in [0, ${image.depth - 1}]`);
  }
  // A one-pixel zero border makes every bilinear tap in (−1, N) a plain array read (mode='constant', cval=0).
  const w = n + 2;
  const padded = new Float64Array(w * w);
  const src = image.data;
  for (let r = 0, o = slice * n * n; r < n; r++) {
    for (let col = 0; col < n; col++) padded[(r + 1) * w + col + 1] = src[o + r * n + col];
  }
  const data = new Float32Array(angles.length * n);
  const c = n >> 1;
  const range = new Int32Array(2);
  for (let a = 0; a < angles.length; a++) {
    const th = angles[a] * (Math.PI / 180); // np.deg2rad
    const cos = Math.cos(th);
    const sin = Math.sin(th);
    for (let x = 0; x < n; x++) {
      // Along the ray (y = 0…N−1): col_in = colA + sin·y, row_in = rowA + cos·y.
      const colA = c + cos * (x - c) - sin * c;
      const rowA = c - sin * (x - c) - cos * c;
      range[0] = 0;
      range[1] = n - 1;
      narrow(range, colA, sin, n);
      narrow(range, rowA, cos, n);
      let sum = 0;
      for (let y = range[0]; y <= range[1]; y++) {
        // Coordinates in the padded image (+1); in [0, N + 1) every tap is a valid read and `| 0` is floor.
        const col = colA + sin * y + 1;
        const row = rowA + cos * y + 1;
        if (!(col >= 0 && col < n + 1 && row >= 0 && row < n + 1)) continue;
        const c0 = col | 0;
        const r0 = row | 0;
        const dc = col - c0;
        const dr = row - r0;
        const i = r0 * w + c0;
        const top = (1 - dc) * padded[i] + dc * padded[i + 1];
        const bottom = (1 - dc) * padded[i + w] + dc * padded[i + w + 1];
        sum += (1 - dr) * top + dr * bottom;
      }
      data[a * n + x] = sum;
    }
  }
  return { angles, detectors: n, data };
}

/**
 * Narrows `range` = [lo, hi] (already within [0, N−1]) to the y where `base + slope·y` lies in (−1, N), i.e. where a
 * bilinear tap can touch the image, widened by one sample for rounding. Outside it every sample is zero; inside,
 * the loop still checks each sample, so the range only needs to be conservative.
 */
function narrow(range: Int32Array, base: number, slope: number, n: number): void {
  if (Math.abs(slope) < 1e-12) {
    if (base <= -1 || base >= n) range[1] = range[0] - 1;
    return;
  }
  const t0 = (-1 - base) / slope;
  const t1 = (n - base) / slope;
  range[0] = Math.max(range[0], Math.floor(Math.min(t0, t1)) - 1);
  range[1] = Math.min(range[1], Math.ceil(Math.max(t0, t1)) + 1);
}
