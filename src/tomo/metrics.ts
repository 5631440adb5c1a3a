// SPDX-License-Identifier: MIT
// Image quality metrics: MSE, PSNR and SSIM (Wang et al. 2004), matching scikit-image's structural_similarity.

import { InvalidInputError } from '../errors.js';
import type { Image } from '../types.js';

/** Pixel arrays the metrics accept; values are read as float64. */
export type PixelArray = Float32Array | Float64Array | Uint8Array | Uint16Array | Int32Array | readonly number[];

/**
 * An image given as its size and C-order pixels ([depth][height][width]); `depth` defaults to 1. The shared
 * {@link Image} type fits this.
 */
export interface PlainImage {
  width: number;
  height: number;
  depth?: number;
  data: PixelArray;
}

/** A metric input: an image, or a bare pixel array (SSIM then needs `options.shape`). */
export type MetricInput = Image | PlainImage | PixelArray;

export interface PsnrOptions {
  /** The value range of the data (max − min possible value): 255 for 8-bit, 1 for [0, 1] floats. Required. */
  dataRange: number;
}

export interface SsimOptions {
  /**
   * The value range L of the data; C1 = (k1·L)², C2 = (k2·L)². Required: scikit-image infers 2 for float input
   * (dtype range −1…1), which is rarely what is meant, so anyml never guesses.
   */
  dataRange: number;
  /**
   * - `'uniform7'` (default): scikit-image's default, a 7×7 uniform window (`structural_similarity(a, b,
   *   data_range=L)`), sample covariance (×49/48).
   * - `'gaussian11'`: Wang et al. 2004: an 11×11 Gaussian window, σ = 1.5 (truncate 3.5 → radius 5), normalised,
   *   population covariance (`gaussian_weights=True, sigma=1.5, use_sample_covariance=False`).
   */
  window?: 'gaussian11' | 'uniform7';
  /** Stabiliser constant for the luminance term; default 0.01. */
  k1?: number;
  /** Stabiliser constant for the contrast-structure term; default 0.03. */
  k2?: number;
  /**
   * Scale (co)variances by N/(N−1) with N = window pixels (49 or 121), as scikit-image's
   * `use_sample_covariance=True` does (even for Gaussian weights). Default: true for `'uniform7'`, false for
   * `'gaussian11'`.
   */
  sampleCovariance?: boolean;
  /** Also return the full SSIM map (height × width, float64), as `full=True` does. */
  full?: boolean;
  /** `[height, width]` when `a` and `b` are bare pixel arrays. */
  shape?: readonly [number, number];
}

/** The result of `ssim(a, b, { full: true })`. `map` is height × width, row-major, float64. */
export interface SsimResult {
  mean: number;
  map: Float64Array;
  width: number;
  height: number;
}

interface Shaped {
  width: number;
  height: number;
  depth: number;
  data: PixelArray;
}

function isPixelArray(v: MetricInput): v is PixelArray {
  return Array.isArray(v) || ArrayBuffer.isView(v);
}

function toShaped(v: MetricInput, name: string, fn: string, shape?: readonly [number, number]): Shaped {
  if (isPixelArray(v)) {
    if (shape) {
      const [height, width] = shape;
      if (!(Number.isSafeInteger(height) && Number.isSafeInteger(width) && height >= 0 && width >= 0)) {
        throw new InvalidInputError(`${fn}: options.shape`, JSON.stringify(shape), '[height, width] of non-negative integers');
      }
      if (height * width !== v.length) {
        throw new InvalidInputError(`${fn}: ${name}`, `${v.length} pixels`, `height × width = ${height} × ${width} = ${height * width} pixels (options.shape)`);
      }
      return { width, height, depth: 1, data: v };
    }
    return { width: v.length, height: 1, depth: 1, data: v };
  }
  if (v === null || typeof v !== 'object' || !(Array.isArray(v.data) || ArrayBuffer.isView(v.data))) {
    throw new InvalidInputError(`${fn}: ${name}`, v === null ? 'null' : typeof v, 'an image { width, height, depth?, data } or a pixel array');
  }
  const depth = v.depth ?? 1;
  for (const [k, d] of [['width', v.width], ['height', v.height], ['depth', depth]] as const) {
    if (!(Number.isSafeInteger(d) && d >= 0)) throw new InvalidInputError(`${fn}: ${name}.${k}`, String(d), 'a non-negative integer');
  }
  if (v.data.length !== v.width * v.height * depth) {
    throw new InvalidInputError(`${fn}: ${name}.data`, `${v.data.length} pixels`, `depth × height × width = ${depth} × ${v.height} × ${v.width} = ${depth * v.height * v.width}`);
  }
  return { width: v.width, height: v.height, depth, data: v.data };
}

/** Checks equal shapes, non-empty input and finite pixels; names the first bad pixel. */
function prepare(a: MetricInput, b: MetricInput, fn: string, shape?: readonly [number, number]): [Shaped, Shaped] {
  const sa = toShaped(a, 'a', fn, shape);
  const sb = toShaped(b, 'b', fn, shape);
  const dims = (s: Shaped) => `${s.depth} × ${s.height} × ${s.width} (depth × height × width)`;
  if (sa.width !== sb.width || sa.height !== sb.height || sa.depth !== sb.depth) {
    throw new InvalidInputError(`${fn}: b`, dims(sb), `the same shape as a, ${dims(sa)}`, 'shapes differ');
  }
  if (sa.data.length === 0) throw new InvalidInputError(`${fn}: a`, 'an empty image (0 pixels)', 'at least one pixel');
  for (const [name, s] of [['a', sa], ['b', sb]] as const) {
    const d = s.data;
    for (let i = 0; i < d.length; i++) {
      if (!Number.isFinite(d[i])) {
        const x = i % s.width;
        const y = Math.floor(i / s.width) % s.height;
        const z = Math.floor(i / (s.width * s.height));
        throw new InvalidInputError(`${fn}: ${name}.data[${i}] (z=${z}, y=${y}, x=${x})`, String(d[i]), 'finite pixel values (no NaN or ±Infinity)');
      }
    }
  }
  return [sa, sb];
}

function checkRange(dataRange: unknown, fn: string): number {
  if (typeof dataRange !== 'number' || !Number.isFinite(dataRange) || dataRange <= 0) {
    throw new InvalidInputError(`${fn}: options.dataRange`, String(dataRange), 'a finite number > 0 (e.g. 255 for 8-bit data, 1 for [0, 1] floats)');
  }
  return dataRange;
}

function meanSquaredError(a: Shaped, b: Shaped): number {
  // MSE = (1/N) Σ (aᵢ − bᵢ)², accumulated in float64 like skimage's mean_squared_error.
  let sum = 0;
  const da = a.data;
  const db = b.data;
  for (let i = 0; i < da.length; i++) {
    const d = da[i] - db[i];
    sum += d * d;
  }
  return sum / da.length;
}

/**
 * Mean squared error (1/N) Σ (aᵢ − bᵢ)² in float64 (skimage.metrics.mean_squared_error). Images must have equal
 * shapes; bare arrays equal lengths.
 */
export function mse(a: MetricInput, b: MetricInput): number {
  const [sa, sb] = prepare(a, b, 'mse');
  return meanSquaredError(sa, sb);
}

/**
 * Peak signal-to-noise ratio in dB: 10·log10(L² / MSE) with L = `dataRange`
 * (skimage.metrics.peak_signal_noise_ratio with an explicit data_range). Identical images give +Infinity.
 */
export function psnr(a: MetricInput, b: MetricInput, options: PsnrOptions): number {
  const L = checkRange(options?.dataRange, 'psnr');
  const [sa, sb] = prepare(a, b, 'psnr');
  const e = meanSquaredError(sa, sb);
  return e === 0 ? Infinity : 10 * Math.log10((L * L) / e);
}

/** scipy.ndimage 'reflect' boundary (half-sample symmetric: d c b a | a b c d | d c b a), any offset. */
function reflectIndex(i: number, n: number): number {
  const period = 2 * n;
  let m = i % period;
  if (m < 0) m += period;
  return m < n ? m : period - 1 - m;
}

/**
 * The 1-D window: scipy.ndimage's `_gaussian_kernel1d` (exp(−x²/2σ²) on x = −r…r, r = int(truncate·σ + 0.5),
 * normalised to sum 1) or the uniform 1/size taps of `uniform_filter`.
 */
function windowTaps(window: 'gaussian11' | 'uniform7'): Float64Array {
  if (window === 'uniform7') return new Float64Array(7).fill(1 / 7);
  const sigma = 1.5;
  const radius = Math.trunc(3.5 * sigma + 0.5); // 5
  const taps = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let k = -radius; k <= radius; k++) {
    const v = Math.exp((-0.5 / (sigma * sigma)) * k * k);
    taps[k + radius] = v;
    sum += v;
  }
  for (let k = 0; k < taps.length; k++) taps[k] /= sum;
  return taps;
}

/**
 * Separable correlation with `taps` along axis 0 (rows), then axis 1 (columns), as scipy.ndimage's
 * gaussian_filter / uniform_filter do, with mode='reflect' (skimage's default for structural_similarity).
 */
function filter2d(src: Float64Array, width: number, height: number, taps: Float64Array, rowIdx: Int32Array, colIdx: Int32Array): Float64Array {
  const tmp = new Float64Array(width * height);
  for (let y = 0; y < height; y++) {
    const o = y * width;
    for (let t = 0; t < taps.length; t++) {
      const w = taps[t];
      const so = rowIdx[y + t] * width;
      for (let x = 0; x < width; x++) tmp[o + x] += w * src[so + x];
    }
  }
  const out = new Float64Array(width * height);
  for (let y = 0; y < height; y++) {
    const o = y * width;
    for (let x = 0; x < width; x++) {
      let acc = 0;
      for (let t = 0; t < taps.length; t++) acc += taps[t] * tmp[o + colIdx[x + t]];
      out[o + x] = acc;
    }
  }
  return out;
}

/** The filtered moments E_w[x], E_w[y], E_w[x²], E_w[y²], E_w[xy] with scipy's 'reflect' boundary. */
function localMoments(x: Float64Array, y: Float64Array, width: number, height: number, taps: Float64Array) {
  const n = width * height;
  const xx = new Float64Array(n);
  const yy = new Float64Array(n);
  const xy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    xx[i] = x[i] * x[i];
    yy[i] = y[i] * y[i];
    xy[i] = x[i] * y[i];
  }
  const r = (taps.length - 1) >> 1;
  const rowIdx = new Int32Array(height + 2 * r);
  for (let i = 0; i < rowIdx.length; i++) rowIdx[i] = reflectIndex(i - r, height);
  const colIdx = new Int32Array(width + 2 * r);
  for (let i = 0; i < colIdx.length; i++) colIdx[i] = reflectIndex(i - r, width);
  const f = (img: Float64Array) => filter2d(img, width, height, taps, rowIdx, colIdx);
  return { ux: f(x), uy: f(y), uxx: f(xx), uyy: f(yy), uxy: f(xy) };
}

/** The SSIM map (Wang 2004 eq. 13) from the local moments, with (sample) covariance scaled by covNorm. */
function ssimMap(m: ReturnType<typeof localMoments>, n: number, covNorm: number, C1: number, C2: number): Float64Array {
  const map = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const mx = m.ux[i];
    const my = m.uy[i];
    const vx = covNorm * (m.uxx[i] - mx * mx);
    const vy = covNorm * (m.uyy[i] - my * my);
    const vxy = covNorm * (m.uxy[i] - mx * my);
    map[i] = ((2 * mx * my + C1) * (2 * vxy + C2)) / ((mx * mx + my * my + C1) * (vx + vy + C2));
  }
  return map;
}

/** Checks ssim's options and inputs; returns the two images and the resolved settings. */
function ssimInputs(a: MetricInput, b: MetricInput, options: SsimOptions) {
  const L = checkRange(options?.dataRange, 'ssim');
  const window = options.window ?? 'uniform7';
  if (window !== 'uniform7' && window !== 'gaussian11') {
    throw new InvalidInputError('ssim: options.window', JSON.stringify(window), "'uniform7' or 'gaussian11'");
  }
  const k1 = options.k1 ?? 0.01;
  const k2 = options.k2 ?? 0.03;
  for (const [k, v] of [['k1', k1], ['k2', k2]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new InvalidInputError(`ssim: options.${k}`, String(v), 'a finite number ≥ 0');
  }
  if ((isPixelArray(a) || isPixelArray(b)) && !options.shape) {
    throw new InvalidInputError('ssim: options.shape', 'undefined for a bare pixel array', '[height, width] (or pass { width, height, data })');
  }
  const [sa, sb] = prepare(a, b, 'ssim', options.shape);
  if (sa.depth !== 1) throw new InvalidInputError('ssim: a.depth', String(sa.depth), '1 (a 2-D image); compute SSIM per slice for stacks');
  const taps = windowTaps(window);
  const win = taps.length;
  if (sa.width < win || sa.height < win) {
    throw new InvalidInputError('ssim: a', `${sa.height} × ${sa.width} pixels (height × width)`, `at least ${win} × ${win}, the ${window} window (as skimage requires)`);
  }
  return { sa, sb, L, k1, k2, taps, sample: options.sampleCovariance ?? window === 'uniform7' };
}

/**
 * Structural similarity (Wang, Bovik, Sheikh, Simoncelli, "Image quality assessment: from error visibility to
 * structural similarity", IEEE TIP 13(4), 2004), computed exactly as scikit-image's `structural_similarity`
 * (0.19): with local means μ, variances σ² and covariance σxy under the window w,
 *
 *   SSIM(x, y) = (2 μx μy + C1)(2 σxy + C2) / ((μx² + μy² + C1)(σx² + σy² + C2)),   C1 = (k1 L)², C2 = (k2 L)²
 *
 * (Wang 2004 eq. 13), where σx² = E_w[x²] − μx² etc., scaled by N/(N−1) with sample covariance. The filters use
 * scipy's 'reflect' boundary, so the map has values at every pixel, but the mean is taken over the map cropped by
 * (win − 1)/2 pixels at each border (3 for 7×7, 5 for 11×11), like skimage.
 *
 * Inputs are 2-D (depth 1), at least the window size in each dimension, same shape, finite. All arithmetic is
 * float64.
 *
 * @returns the mean SSIM, or `{ mean, map, width, height }` with `full: true`.
 */
export function ssim(a: MetricInput, b: MetricInput, options: SsimOptions & { full: true }): SsimResult;
export function ssim(a: MetricInput, b: MetricInput, options: SsimOptions & { full?: false }): number;
export function ssim(a: MetricInput, b: MetricInput, options: SsimOptions): number | SsimResult;
export function ssim(a: MetricInput, b: MetricInput, options: SsimOptions): number | SsimResult {
  const { sa, sb, L, k1, k2, taps, sample } = ssimInputs(a, b, options);
  const { width, height } = sa;
  const n = width * height;
  const moments = localMoments(Float64Array.from(sa.data as ArrayLike<number>), Float64Array.from(sb.data as ArrayLike<number>), width, height, taps);
  const np = taps.length * taps.length;
  const covNorm = sample ? np / (np - 1) : 1; // unbiased estimate, as skimage's use_sample_covariance
  const map = ssimMap(moments, n, covNorm, (k1 * L) ** 2, (k2 * L) ** 2);
  const r = (taps.length - 1) >> 1;
  let sum = 0;
  for (let yy = r; yy < height - r; yy++) for (let xx = r; xx < width - r; xx++) sum += map[yy * width + xx];
  const mean = sum / ((height - 2 * r) * (width - 2 * r));
  return options.full ? { mean, map, width, height } : mean;
}
